import CDRModels
import Foundation
import Hummingbird
import Logging
import NIOCore
import Synchronization

/// The recipient's redirect URI for interactive consent: a plain HTTP listener on loopback that takes the holder's
/// redirect (`/callback?response=<JARM>`) from the person's browser and hands it to the demo.
///
/// Loopback only; it answers with a page saying the browser can be closed and never shows the response.
final class ConsentCallbackListener: Sendable {
    /// `http://127.0.0.1:<port>/callback`.
    let redirectURI: String
    private let callbacks: AsyncStream<String>
    private let task: Task<Void, any Error>

    private init(redirectURI: String, callbacks: AsyncStream<String>, task: Task<Void, any Error>) {
        self.redirectURI = redirectURI
        self.callbacks = callbacks
        self.task = task
    }

    /// Starts listening on 127.0.0.1.
    /// - Parameter port: The port; 0 picks a free one.
    /// - Returns: The running listener.
    static func start(port: Int) async throws -> ConsentCallbackListener {
        let (callbacks, continuation) = AsyncStream.makeStream(of: String.self, bufferingPolicy: .bufferingNewest(1))
        let router = Router()
        router.get("/callback") { request, _ -> Response in
            continuation.yield(request.uri.query ?? "")
            var headers = HTTPFields()
            headers[.contentType] = "text/html; charset=utf-8"
            headers[.cacheControl] = "no-store"
            let page = """
                <!doctype html><html><head><title>CDRKit demo</title></head><body style="font-family: sans-serif">\
                <h1>Thank you</h1><p>Your consent reached the CDRKit demo. You can close this tab and return to the \
                terminal.</p></body></html>
                """
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: page)))
        }
        let bound = AsyncStream.makeStream(of: Int?.self, bufferingPolicy: .bufferingNewest(1))
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: port), serverName: nil),
            onServerRunning: { channel in
                bound.continuation.yield(channel.localAddress?.port)
                bound.continuation.finish()
            },
            logger: .cdrDisabled)
        let task = Task {
            defer {
                bound.continuation.finish()
                continuation.finish()
            }
            try await app.runService(gracefulShutdownSignals: [])
        }
        var ports = bound.stream.makeAsyncIterator()
        guard let boundPort = await ports.next() ?? nil else {
            task.cancel()
            let reason: String
            do {
                try await task.value
                reason = "the listener stopped before it was bound"
            } catch {
                reason = "127.0.0.1:\(port) could not be bound (\(error))"
            }
            throw DemoError(
                step: "Starting the local callback listener", reason: reason,
                hint: "Choose another --callback-port, or 0 for a free one.")
        }
        return ConsentCallbackListener(
            redirectURI: "http://127.0.0.1:\(boundPort)/callback", callbacks: callbacks, task: task)
    }

    /// Waits for the browser's redirect.
    /// - Parameter timeout: How long to wait.
    /// - Returns: The full callback URL, with the query the holder sent.
    func waitForCallback(timeout: Duration) async throws -> URL {
        let callbacks = self.callbacks
        let redirectURI = self.redirectURI
        return try await withThrowingTaskGroup(of: URL?.self) { group in
            group.addTask {
                for await query in callbacks {
                    if let url = URL(string: redirectURI + "?" + query) { return url }
                }
                return nil
            }
            group.addTask {
                try await Task.sleep(for: timeout)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let url = first else {
                throw DemoError(
                    step: "Consent", reason: "no consent arrived at \(redirectURI) in time",
                    hint: "Open the URL shown and consent within the time allowed, or run without --interactive.")
            }
            return url
        }
    }

    /// Stops the listener.
    func stop() { task.cancel() }
}
