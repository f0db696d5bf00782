#ifndef SNAP_CCURL_SHIM_H
#define SNAP_CCURL_SHIM_H
#include <curl/curl.h>

/* curl_easy_setopt and curl_easy_getinfo are variadic, which Swift cannot
   call; these fix one argument type each. */

typedef size_t (*snap_curl_data_callback)(char *buffer, size_t size, size_t nitems, void *userdata);
typedef int (*snap_curl_seek_callback)(void *userdata, curl_off_t offset, int origin);
typedef int (*snap_curl_xferinfo_callback)(void *userdata, curl_off_t dltotal, curl_off_t dlnow,
                                           curl_off_t ultotal, curl_off_t ulnow);

static inline CURLcode snap_curl_easy_setopt_long(CURL *h, CURLoption o, long v) {
    return curl_easy_setopt(h, o, v);
}
static inline CURLcode snap_curl_easy_setopt_string(CURL *h, CURLoption o, const char *v) {
    return curl_easy_setopt(h, o, v);
}
static inline CURLcode snap_curl_easy_setopt_pointer(CURL *h, CURLoption o, void *v) {
    return curl_easy_setopt(h, o, v);
}
static inline CURLcode snap_curl_easy_setopt_off_t(CURL *h, CURLoption o, curl_off_t v) {
    return curl_easy_setopt(h, o, v);
}
static inline CURLcode snap_curl_easy_setopt_slist(CURL *h, CURLoption o, struct curl_slist *v) {
    return curl_easy_setopt(h, o, v);
}
static inline CURLcode snap_curl_easy_setopt_write_callback(CURL *h, snap_curl_data_callback cb) {
    return curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, cb);
}
static inline CURLcode snap_curl_easy_setopt_read_callback(CURL *h, snap_curl_data_callback cb) {
    return curl_easy_setopt(h, CURLOPT_READFUNCTION, cb);
}
static inline CURLcode snap_curl_easy_setopt_header_callback(CURL *h, snap_curl_data_callback cb) {
    return curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, cb);
}
static inline CURLcode snap_curl_easy_setopt_seek_callback(CURL *h, snap_curl_seek_callback cb) {
    return curl_easy_setopt(h, CURLOPT_SEEKFUNCTION, cb);
}
static inline CURLcode snap_curl_easy_setopt_xferinfo_callback(CURL *h, snap_curl_xferinfo_callback cb) {
    return curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, cb);
}
static inline CURLcode snap_curl_easy_getinfo_long(CURL *h, CURLINFO i, long *v) {
    return curl_easy_getinfo(h, i, v);
}

/* Macros Swift does not import (their values are casts). */
static const size_t SNAP_CURL_WRITEFUNC_ERROR = CURL_WRITEFUNC_ERROR;
static const size_t SNAP_CURL_READFUNC_ABORT = CURL_READFUNC_ABORT;
static const long SNAP_CURL_GLOBAL_ALL = CURL_GLOBAL_ALL;

#endif
