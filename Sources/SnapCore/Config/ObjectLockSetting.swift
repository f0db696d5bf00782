import AWS
import Foundation

/// `--object-lock governance|compliance:DAYS` (or a store's `object_lock`):
/// every archive and `.json` written to an S3 store is retained for DAYS
/// from its upload, in that S3 Object Lock mode.
public struct ObjectLockSetting: Sendable, Equatable {
    public var mode: S3ObjectLock.Mode
    public var days: Int

    public init(mode: S3ObjectLock.Mode, days: Int) {
        self.mode = mode
        self.days = days
    }

    /// "governance:30", "compliance:365"; nil with the reason when malformed.
    public static func parse(_ text: String) -> Result<ObjectLockSetting, SnapError> {
        let parts = text.lowercased().split(separator: ":", omittingEmptySubsequences: false)
        let mode: S3ObjectLock.Mode? = parts.first == "governance" ? .governance : parts.first == "compliance" ? .compliance : nil
        guard parts.count == 2, let mode, let days = Int(parts[1]), days >= 1, days <= 36_500 else {
            return .failure(
                .configuration("object lock \"\(text)\": use governance:DAYS or compliance:DAYS, DAYS from 1 to 36500 (e.g. governance:35)")
            )
        }
        return .success(ObjectLockSetting(mode: mode, days: days))
    }

    /// The retention for an object uploaded now.
    public func retention(from now: Date = Date()) -> S3ObjectLock {
        S3ObjectLock(mode: mode, retainUntil: now.addingTimeInterval(Double(days) * 86_400))
    }
}
