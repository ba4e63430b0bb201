import Foundation

extension JournalFile {
    /// Paths of the files under `directory`, searched recursively, whose names end with one of
    /// `suffixes`, sorted. Hidden folders (`.cache`, `.git`) are not searched.
    static func paths(under directory: String, endingWith suffixes: [String]) throws(JournalError) -> [String] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue,
            let enumerator = FileManager.default.enumerator(atPath: directory)
        else { throw .directoryNotFound(path: directory) }
        var paths: [String] = []
        while let relative = enumerator.nextObject() as? String {
            if relative.hasPrefix(".") || relative.contains("/.") {
                enumerator.skipDescendants()
                continue
            }
            if suffixes.contains(where: { relative.hasSuffix($0) }) { paths.append(directory + "/" + relative) }
        }
        return paths.sorted()
    }
}
