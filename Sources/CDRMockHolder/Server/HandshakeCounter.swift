import NIOCore
// NIOTLS comes with NIOSSL (Package.swift does not list it for this target yet).
import NIOTLS
import Synchronization

extension MockDataHolder {
    /// How many TLS handshakes each listener has completed since the holder was created.
    ///
    /// A client that reuses its keep-alive connections makes one handshake per listener however many requests it
    /// sends; a count that grows with the requests shows a client (or a middleware) that opens a connection each time.
    public struct HandshakeCounts: Sendable, Hashable, CustomStringConvertible {
        /// Handshakes completed by the public (TLS) listener.
        public var `public`: Int
        /// Handshakes completed by the secure (mutual TLS) listener.
        public var secure: Int

        /// Creates counts.
        /// - Parameters:
        ///   - public: Handshakes on the public listener.
        ///   - secure: Handshakes on the secure listener.
        public init(public: Int = 0, secure: Int = 0) {
            self.public = `public`
            self.secure = secure
        }

        /// Both listeners' handshakes together.
        public var total: Int { `public` + secure }

        /// `public: N, secure: M`.
        public var description: String { "public: \(`public`), secure: \(secure)" }
    }

    /// The TLS handshakes each listener has completed so far; failed handshakes (an untrusted or missing client
    /// certificate, for example) are not counted.
    public var completedHandshakes: HandshakeCounts { handshakes.counts.withLock { $0 } }
}

/// The holder's handshake tallies, shared by the counting handlers of every connection.
final class HandshakeTally: Sendable {
    enum Listener: Sendable { case `public`, secure }

    let counts = Mutex(MockDataHolder.HandshakeCounts())

    /// Records one completed handshake on `listener`.
    func record(_ listener: Listener) {
        counts.withLock { counts in
            switch listener {
            case .public: counts.public += 1
            case .secure: counts.secure += 1
            }
        }
    }

    /// A new handler for one connection of `listener`.
    func makeHandler(for listener: Listener) -> HandshakeCountingHandler {
        HandshakeCountingHandler(tally: self, listener: listener)
    }
}

/// Counts `TLSUserEvent.handshakeCompleted`, which `NIOSSLServerHandler` fires once per connection; sits after the
/// HTTP codec (Hummingbird's `additionalChannelHandlers`) and passes every event on.
final class HandshakeCountingHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny

    private let tally: HandshakeTally
    private let listener: HandshakeTally.Listener

    init(tally: HandshakeTally, listener: HandshakeTally.Listener) {
        self.tally = tally
        self.listener = listener
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case .handshakeCompleted = event as? TLSUserEvent { tally.record(listener) }
        context.fireUserInboundEventTriggered(event)
    }
}
