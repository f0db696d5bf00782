import Foundation
import PackagePlugin

/// Writes `BuildCommit.swift` before every build of `snap`: the commit the
/// binary was built from (`git describe --always --dirty`), or `unknown`
/// outside a git checkout. The file is rewritten only when the commit
/// changes, so an unchanged tree does not recompile. `snap --version` and the
/// manifests' `tool` field carry it (SPEC: "snap <version> (<commit>, <configuration>)").
@main
struct BuildInfo: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let out = context.pluginWorkDirectoryURL.appendingPathComponent("BuildInfo")
        let script = """
            commit=$(git -C "$1" describe --always --dirty --abbrev=12 2>/dev/null) || commit=unknown
            file="$2/BuildCommit.swift"
            text="let buildCommit = \\"$commit\\""
            mkdir -p "$2"
            [ "$(cat "$file" 2>/dev/null)" = "$text" ] || printf '%s\\n' "$text" > "$file"
            """
        return [
            .prebuildCommand(
                displayName: "snap: record the commit",
                executable: URL(fileURLWithPath: "/bin/sh"),
                arguments: ["-c", script, "sh", context.package.directoryURL.path, out.path],
                outputFilesDirectory: out)
        ]
    }
}
