import CDRModels
import Foundation
import HTTPTypes
import Hummingbird

extension MockDataHolder {
    /// The one administration route on the public listener: `GET /mock-admin/endpoints` answers the
    /// ``Endpoints`` JSON (base URLs only), so a client that knows only the public base URL can find the secure one.
    func addAdministrationPublicRoutes(to router: Router<MockRequestContext>) {
        router.get("\(AdministrationWire.prefix)/endpoints") { [self] _, _ -> Response in
            guard let endpoints else {
                return HolderResponse.cdsError(.serviceUnavailable, .serviceUnavailable, detail: "starting up")
            }
            return try HolderResponse.json(endpoints)
        }
    }

    /// The mock's own administration routes on the secure listener, so that only a holder of a certificate from the
    /// mock CA reaches them. ``MockHolderAdministrationClient`` calls them for a holder in another process.
    ///
    /// - `POST /mock-admin/software-products` a ``MockRegister/SoftwareProduct`` → 201
    /// - `PUT /mock-admin/outage` `{"kind": "none" | "unavailable" | "partialFailure" | "scheduled", "pathPrefixes",
    ///   "start", "durationSeconds"}` → 204
    /// - `PUT /mock-admin/quirks` `{"quirks": ["dateTimeInDateField", …]}` (any of ``MockFaults/injectableQuirks``;
    ///   an empty list clears them) → 204; `GET /mock-admin/quirks` → the same shape
    /// - `GET /mock-admin/quirks/injected` → `{"injected": [{operation, path, quirk, interactionID}]}`
    ///   (``MockFaults/injectedQuirks()``); `DELETE /mock-admin/quirks/injected` → 204
    /// - `PUT /mock-admin/ddc/mfa` `{"requirement": "none" | "oneTimeCode" | "securityQuestion"}` → 204
    /// - `GET /mock-admin/ddc/settings` → ``MockDDCSettings``
    /// - `GET /mock-admin/ddc/customers/{customerId}/password` → `{customerID, password}`
    /// - `GET /mock-admin/ddc/customers/{customerId}/security-answer` → `{customerID, answer}`
    /// - `GET /mock-admin/ddc/connections/{connectionId}/one-time-code` → `{connectionID, oneTimeCode}`, or 404
    ///   `Resource/NotFound` when no code was sent
    ///
    /// Bad input is answered 400 with the standard's error list. Answers carry `Cache-Control: no-store`; bodies are
    /// never logged.
    func addAdministrationRoutes(to router: Router<MockRequestContext>) {
        let admin = AdministrationWire.prefix
        router.post("\(admin)/software-products") { [self] request, context -> Response in
            try await Self.requireClientCertificate(context)
            var request = request
            let product = try await Self.administrationBody(
                MockRegister.SoftwareProduct.self, from: &request, shape: "a software product")
            if let problem = product.administrationProblem {
                return HolderResponse.cdsError(.badRequest, .fieldInvalid, detail: problem)
            }
            register.add(product)
            return Response(status: .created, headers: Self.noStore)
        }
        router.put("\(admin)/outage") { [self] request, context -> Response in
            try await Self.requireClientCertificate(context)
            var request = request
            let body = try await Self.administrationBody(
                AdministrationWire.Outage.self, from: &request, shape: "an outage")
            faults.outage = try Self.validated { () throws(AdministrationWire.Invalid) in try body.value() }
            return Response(status: .noContent, headers: Self.noStore)
        }
        router.put("\(admin)/quirks") { [self] request, context -> Response in
            try await Self.requireClientCertificate(context)
            var request = request
            let body = try await Self.administrationBody(
                AdministrationWire.Quirks.self, from: &request, shape: "a list of quirks")
            faults.quirks = try Self.validated { () throws(AdministrationWire.Invalid) in try body.value() }
            return Response(status: .noContent, headers: Self.noStore)
        }
        router.get("\(admin)/quirks") { [self] _, context -> Response in
            try await Self.requireClientCertificate(context)
            return try HolderResponse.json(AdministrationWire.Quirks(faults.quirks), headers: Self.noStore)
        }
        router.get("\(admin)/quirks/injected") { [self] _, context -> Response in
            try await Self.requireClientCertificate(context)
            return try HolderResponse.json(
                AdministrationWire.InjectedQuirks(injected: faults.injectedQuirks()), headers: Self.noStore)
        }
        router.delete("\(admin)/quirks/injected") { [self] _, context -> Response in
            try await Self.requireClientCertificate(context)
            faults.clearInjectedQuirks()
            return Response(status: .noContent, headers: Self.noStore)
        }
        router.put("\(admin)/ddc/mfa") { [self] request, context -> Response in
            try await Self.requireClientCertificate(context)
            var request = request
            let body = try await Self.administrationBody(
                AdministrationWire.MFA.self, from: &request, shape: "an MFA requirement")
            ddc.mfa = try Self.validated { () throws(AdministrationWire.Invalid) in try body.value() }
            return Response(status: .noContent, headers: Self.noStore)
        }
        router.get("\(admin)/ddc/settings") { [self] _, context -> Response in
            try await Self.requireClientCertificate(context)
            return try HolderResponse.json(ddc.settings, headers: Self.noStore)
        }
        router.get("\(admin)/ddc/customers/:customerId/password") { [self] _, context -> Response in
            try await Self.requireClientCertificate(context)
            let customerID = try Self.pathIdentifier("customerId", in: context)
            return try HolderResponse.json(
                AdministrationWire.Password(customerID: customerID, password: ddc.password(for: customerID)),
                headers: Self.noStore)
        }
        router.get("\(admin)/ddc/customers/:customerId/security-answer") { [self] _, context -> Response in
            try await Self.requireClientCertificate(context)
            let customerID = try Self.pathIdentifier("customerId", in: context)
            return try HolderResponse.json(
                AdministrationWire.SecurityAnswer(customerID: customerID, answer: ddc.securityAnswer(for: customerID)),
                headers: Self.noStore)
        }
        router.get("\(admin)/ddc/connections/:connectionId/one-time-code") { [self] _, context -> Response in
            try await Self.requireClientCertificate(context)
            let connectionID = try Self.pathIdentifier("connectionId", in: context)
            guard let code = ddc.lastOneTimeCode(for: connectionID) else {
                return HolderResponse.cdsError(
                    .notFound, .resourceNotFound, detail: "no one-time code was sent for this connection",
                    headers: Self.noStore)
            }
            return try HolderResponse.json(
                AdministrationWire.OneTimeCode(connectionID: connectionID, oneTimeCode: code), headers: Self.noStore)
        }
    }

    private static let noStore: HTTPFields = [.cacheControl: "no-store"]

    /// Refuses a request without a verified client certificate (the listener already requires one; this keeps the
    /// routes safe if they are ever mounted elsewhere).
    private static func requireClientCertificate(_ context: MockRequestContext) async throws(HolderHTTPError) {
        guard await context.clientCertificateThumbprint() != nil else {
            throw HolderHTTPError(
                response: HolderResponse.cdsError(
                    .unauthorized, .fieldInvalid, detail: "a client certificate is required"))
        }
    }

    /// Reads a JSON body; a body that can't be read or decoded is answered 400.
    private static func administrationBody<Body: Decodable>(
        _ type: Body.Type, from request: inout Request, shape: String
    ) async throws(HolderHTTPError) -> Body {
        let bytes: [UInt8]
        do { bytes = try await request.bodyBytes(limit: 1 << 20) } catch {
            throw HolderHTTPError(
                response: HolderResponse.cdsError(.badRequest, .fieldInvalid, detail: "the body could not be read"))
        }
        guard let body = try? JSONDecoder().decode(Body.self, from: Data(bytes)) else {
            throw HolderHTTPError(
                response: HolderResponse.cdsError(
                    .badRequest, .fieldInvalid, detail: "the body must be \(shape) in JSON"))
        }
        return body
    }

    /// Runs a wire conversion, answering 400 with its explanation when the value is invalid.
    private static func validated<Value>(
        _ convert: () throws(AdministrationWire.Invalid) -> Value
    ) throws(HolderHTTPError) -> Value {
        do { return try convert() } catch {
            throw HolderHTTPError(response: HolderResponse.cdsError(.badRequest, .fieldInvalid, detail: error.detail))
        }
    }

    /// A percent-decoded, non-empty path parameter of at most 256 characters.
    private static func pathIdentifier(_ name: String, in context: MockRequestContext) throws(HolderHTTPError)
        -> String
    {
        guard let raw = context.parameters.get(name), let value = raw.removingPercentEncoding, !value.isEmpty,
            value.count <= 256
        else {
            throw HolderHTTPError(
                response: HolderResponse.cdsError(
                    .badRequest, .fieldInvalid, detail: "\(name) is not a valid identifier"))
        }
        return value
    }
}
