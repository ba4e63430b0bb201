import ArgumentParser

#if canImport(Glibc)
    import Glibc
#endif

/// `--data DIR`: the data directory, `./data` unless `--data` or `ATHANOR_DATA` says otherwise.
struct DataDirectoryOption: ParsableArguments {
    @Option(name: .customLong("data"), help: "The data directory (default: $ATHANOR_DATA, else ./data).")
    var explicitPath: String?

    var path: String {
        if let explicitPath { return explicitPath }
        if let environment = getenv("ATHANOR_DATA"), environment.pointee != 0 { return String(cString: environment) }
        return "data"
    }
}
