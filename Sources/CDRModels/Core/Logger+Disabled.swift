public import Logging

extension Logger {
    /// A logger that drops everything: the default of every CDRKit API that takes a logger, so the SDK is silent
    /// unless the caller hands it a logger (libraries never bootstrap the logging system).
    public static let cdrDisabled = Logger(label: "cdrkit-do-not-log", factory: { _ in SwiftLogNoOpLogHandler() })
}
