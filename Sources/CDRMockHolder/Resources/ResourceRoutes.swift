import Hummingbird

extension MockDataHolder {
    /// The public CDS resources: products, status and outages.
    func addResourcePublicRoutes(to router: Router<MockRequestContext>) {}

    /// The authenticated CDS resources.
    func addResourceSecureRoutes(to router: Router<MockRequestContext>) {}
}
