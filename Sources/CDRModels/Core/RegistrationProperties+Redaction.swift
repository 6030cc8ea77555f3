extension RegistrationProperties: CustomStringConvertible, CustomReflectable {
    /// The client id, software id and redirect URIs; never the software statement.
    public var description: String {
        "RegistrationProperties(client_id: \(clientId), software_id: \(softwareId), "
            + "redirect_uris: \(redirectUris.joined(separator: " ")))"
    }

    /// Mirrors ``description``, so that `dump` does not print the software statement.
    public var customMirror: Mirror { Mirror(self, children: ["registration": description], displayStyle: .struct) }
}
