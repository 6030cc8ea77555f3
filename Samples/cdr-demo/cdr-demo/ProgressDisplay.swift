import CDRDemo
import Foundation
import Synchronization

/// Shows the demo's progress on standard error: one line per step and detail, and a transactions counter that
/// rewrites its line on a terminal.
final class ProgressDisplay: Sendable {
    private let json: Bool
    private let isTerminal: Bool
    private let counterShown = Mutex(false)

    init(json: Bool) {
        self.json = json
        self.isTerminal = isatty(STDERR_FILENO) == 1
    }

    func show(_ event: DemoEvent) {
        switch event {
        case .step(let number, let count, let title):
            endCounter()
            write("[\(number)/\(count)] \(title)\n")
        case .detail(let text):
            endCounter()
            write("      \(text)\n")
        case .transactions(let done, let accounts, let records):
            let line = "      accounts \(done)/\(accounts), \(records) transactions"
            if isTerminal {
                counterShown.withLock { $0 = true }
                write("\r" + line)
            } else if done == accounts || done == 0 && records == 0 {
                write(line + "\n")
            }
        case .openInBrowser(let url):
            endCounter()
            write(
                "      Open this URL in a browser and consent (sign in as a mock customer, for example customer-1):\n\n      \(url.absoluteString)\n\n"
            )
            write("      Waiting for the holder's redirect to the local listener…\n")
        }
    }

    func finish() { endCounter() }

    private func endCounter() {
        let shown = counterShown.withLock { shown in
            defer { shown = false }
            return shown
        }
        if shown { write("\n") }
    }

    private func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}
