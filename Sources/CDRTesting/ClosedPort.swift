import CDRMockHolder

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Runs `body` with a loopback TCP port that is bound but not listening: a connection to it is refused at once, as
/// with a holder that is down, and no other process can take the port while `body` runs.
///
/// ```swift
/// try await withClosedLoopbackPort { port in
///     // point a source at https://127.0.0.1:\(port) and check that it falls back with reason `.outage`
/// }
/// ```
/// - Parameter body: The work, given the port number.
/// - Returns: What `body` returns.
/// - Throws: What `body` throws, or `MockHolderError` (`invalidConfiguration`) when no socket can be bound.
public func withClosedLoopbackPort<Result>(_ body: (Int) async throws -> Result) async throws -> Result {
    #if canImport(Glibc)
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    #else
        let descriptor = socket(AF_INET, SOCK_STREAM, 0)
    #endif
    guard descriptor >= 0 else {
        throw MockHolderError(.invalidConfiguration, reason: "no socket for a closed loopback port")
    }
    defer { close(descriptor) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = 0
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
            bind(descriptor, pointer, length) == 0 && getsockname(descriptor, pointer, &length) == 0
        }
    }
    guard bound else { throw MockHolderError(.invalidConfiguration, reason: "cannot bind a loopback port") }
    return try await body(Int(UInt16(bigEndian: address.sin_port)))
}
