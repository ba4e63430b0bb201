/// A command that could not do what was asked, for a reason that is not a usage mistake:
/// printed as `Error: <message>` with exit status 1, without the usage text.
struct CommandFailure: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}
