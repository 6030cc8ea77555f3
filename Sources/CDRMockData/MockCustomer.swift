public import CDRModels

/// A customer of the mock data holder: a person or an organisation, who logs in with ``id``.
public struct MockCustomer: Sendable, Hashable {
    /// The login name used on the consent page, `customer-1`, `customer-2`, and so on.
    public let id: String
    /// The customer's position in ``MockDataset/customers``, from 0.
    public let index: Int
    /// The person's full name or the organisation's business name.
    public let displayName: String
    /// Whether the customer is an organisation (every third customer: `customer-3`, `customer-6`, …).
    public let isOrganisation: Bool

    let seed: UInt64
    let referenceSeconds: Int64
    private let firstName: String
    private let lastName: String
    private let businessName: String

    init(seed: UInt64, index: Int, referenceSeconds: Int64) {
        self.seed = seed
        self.index = index
        self.referenceSeconds = referenceSeconds
        id = "customer-\(index + 1)"
        isOrganisation = index % 3 == 2
        var random = MockRandom(seed, .customer, index)
        firstName = random.pick(MockWords.firstNames)
        lastName = random.pick(MockWords.lastNames)
        businessName = random.pick(MockWords.businessNames) + " Pty Ltd"
        displayName = isOrganisation ? businessName : firstName + " " + lastName
    }

    /// The customer as Get Customer (v1) returns it.
    public func customer() -> ResponseCommonCustomer.Data {
        if isOrganisation {
            let o = organisation()
            return .init(
                customer: .organisation(
                    CommonOrganisation(
                        lastUpdateTime: o.lastUpdateTime, agentFirstName: o.agentFirstName,
                        agentLastName: o.agentLastName, agentRole: o.agentRole, businessName: o.businessName,
                        legalName: o.legalName, shortName: o.shortName, abn: o.abn, acn: o.acn,
                        isACNCRegistered: o.isACNCRegistered, industryCode: o.industryCode,
                        industryCodeVersion: o.industryCodeVersion, organisationType: o.organisationType,
                        registeredCountry: o.registeredCountry, establishmentDate: o.establishmentDate)))
        }
        let p = person()
        return .init(
            customer: .person(
                CommonPerson(
                    lastUpdateTime: p.lastUpdateTime, firstName: p.firstName, lastName: p.lastName,
                    middleNames: p.middleNames, prefix: p.prefix, suffix: p.suffix, occupationCode: p.occupationCode,
                    occupationCodeVersion: p.occupationCodeVersion)))
    }

    /// The customer with contact details, as Get Customer Detail (v2) returns it.
    public func customerDetail() -> ResponseCommonCustomerDetailV2.Data {
        isOrganisation ? .init(customer: .organisation(organisation())) : .init(customer: .person(person()))
    }

    private func person() -> CommonPersonDetailV2 {
        var random = MockRandom(seed, .customer, index, 1)
        let local = (firstName + "." + lastName).lowercased()
        let mobile = "4" + random.digits(8)
        let landline = random.digits(8)
        return CommonPersonDetailV2(
            lastUpdateTime: MockText.dateTime(referenceSeconds - Int64(random.int(30...900)) * 86_400),
            firstName: firstName,
            lastName: lastName,
            middleNames: index % 2 == 0 ? [random.pick(MockWords.firstNames)] : [],
            prefix: random.pick(["Ms", "Mr", "Dr", "Mx"]),
            suffix: index % 4 == 3 ? "Jr" : nil,
            occupationCode: random.pick(["261313", "254412", "133111", "241213"]),
            occupationCodeVersion: "ANZSCO_1220.0_2013_V1.3",
            phoneNumbers: [
                CommonPhoneNumber(
                    isPreferred: true, purpose: .mobile, countryCode: "+61", number: "0" + mobile,
                    fullNumber: "tel:+61-" + mobile.prefix(3) + "-" + mobile.dropFirst(3).prefix(3) + "-"
                        + mobile.suffix(3)),
                CommonPhoneNumber(
                    isPreferred: false, purpose: .home, countryCode: "+61", areaCode: "2", number: landline,
                    fullNumber: "tel:+61-2-" + landline.prefix(4) + "-" + landline.suffix(4)),
            ],
            emailAddresses: [
                CommonEmailAddress(isPreferred: true, purpose: .home, address: local + "@example.com"),
                CommonEmailAddress(isPreferred: false, purpose: .work, address: local + "@work.example.net"),
            ],
            physicalAddresses: [
                CommonPhysicalAddressWithPurpose(purpose: .mail, address: .simple(simpleAddress())),
                CommonPhysicalAddressWithPurpose(purpose: .physical, address: .paf(pafAddress())),
            ])
    }

    private func organisation() -> CommonOrganisationDetailV2 {
        var random = MockRandom(seed, .customer, index, 2)
        return CommonOrganisationDetailV2(
            lastUpdateTime: MockText.dateTime(referenceSeconds - Int64(random.int(30...900)) * 86_400),
            agentFirstName: firstName,
            agentLastName: lastName,
            agentRole: random.pick(["Director", "Company Secretary", "Finance Manager"]),
            businessName: businessName,
            legalName: businessName,
            shortName: String(businessName.split(separator: " ").first ?? "Business"),
            abn: random.digits(11),
            acn: random.digits(9),
            isACNCRegistered: false,
            industryCode: random.pick(["4511", "3231", "6962", "7000"]),
            industryCodeVersion: "ANZSIC_1292.0_2006_V2.0",
            organisationType: .company,
            registeredCountry: "AUS",
            establishmentDate: MockText.date(referenceSeconds - Int64(random.int(800...9000)) * 86_400),
            physicalAddresses: [
                CommonPhysicalAddressWithPurpose(purpose: .registered, address: .paf(pafAddress())),
                CommonPhysicalAddressWithPurpose(purpose: .mail, address: .simple(simpleAddress())),
            ])
    }

    /// The customer's mailing address.
    func simpleAddress() -> CommonSimpleAddress {
        var random = MockRandom(seed, .customer, index, 3)
        let street = random.pick(MockWords.streets)
        let place = random.pick(MockWords.localities)
        return CommonSimpleAddress(
            mailingName: displayName,
            addressLine1: "Unit \(random.int(1...40))",
            addressLine2: "\(street.number) \(street.name) \(street.type)",
            postcode: place.postcode,
            city: place.city,
            state: place.state,
            country: "AUS")
    }

    /// The customer's street address in Australia Post's structured form.
    func pafAddress() -> CommonPAFAddress {
        var random = MockRandom(seed, .customer, index, 4)
        let street = random.pick(MockWords.streets)
        let place = random.pick(MockWords.localities)
        return CommonPAFAddress(
            dpid: random.digits(8),
            thoroughfareNumber1: street.number,
            streetName: street.name.uppercased(),
            streetType: street.type == "Street"
                ? "ST" : street.type == "Road" ? "RD" : street.type == "Avenue" ? "AVE" : "LANE",
            localityName: place.city.uppercased(),
            postcode: place.postcode,
            state: place.state)
    }
}
