// The Swift blocks of "Keeping state across restarts" (Sources/CDRClient/Docs.docc/DurableState.md), between
// `// sample:` and `// end sample` markers (`Scripts/check-doc-samples.py` checks that they are the same).
// The functions' parameters are what a reader has.
import CDRClient

func durableStateOpen(
    product: SoftwareProductIdentity, identity: ClientIdentity, cdrCA: TrustRoots, holderBrandID: String
) async throws {
    // sample: Sources/CDRClient/Docs.docc/DurableState.md#1
    let kek = try LocalKeyEncryptionKey.file(at: URL(fileURLWithPath: "/etc/recipient/kek"))
    let store = try await RecipientStore.sqlite(path: "/var/lib/recipient/cdr.sqlite", keyEncryptionKey: kek)
    let configuration = CDRClient.Configuration(
        product: product, identity: identity, cdrCertificateAuthority: cdrCA, store: store, recordStore: store)
    try await CDRClient.withClient(configuration: configuration) { cdr in
        let bank = try await cdr.connect(holderBrandID: holderBrandID)  // reuses the stored registration: no DCR
        for arrangement in try await bank.storedArrangements() where arrangement.state.allowsDataAccess {
            print(arrangement.id)  // tokens are in the store too: data calls work at once
        }
    }
    try await store.close()
    // end sample
}

func durableStateKMS() {
    // sample: Sources/CDRClient/Docs.docc/DurableState.md#2
    struct KMSKeyEncryptionKey: KeyEncryptionKeyProvider {
        /// The KMS key's name (an ARN, a key URI); stored beside every data key it wraps.
        let keyID: String
        /// The KMS's encrypt and decrypt calls, with the context as the encryption context.
        let encrypt: @Sendable (_ plaintext: [UInt8], _ context: [UInt8]) async throws -> [UInt8]
        let decrypt: @Sendable (_ ciphertext: [UInt8], _ context: [UInt8]) async throws -> [UInt8]

        func wrap(_ dataKey: [UInt8], context: [UInt8]) async throws -> [UInt8] {
            try await encrypt(dataKey, context)
        }

        func unwrap(_ wrapped: [UInt8], context: [UInt8]) async throws -> [UInt8] {
            do {
                return try await decrypt(wrapped, context)
            } catch {
                throw StoreError(.wrongKey, reason: "the KMS key \(keyID) did not open the data key")
            }
        }
    }
    // end sample
    _ = KMSKeyEncryptionKey.self
}

func durableStateRotate(store: RecipientStore, newKey: LocalKeyEncryptionKey) async throws {
    // sample: Sources/CDRClient/Docs.docc/DurableState.md#3
    let rewrapped = try await store.rotateKeyEncryptionKey(to: newKey)
    print("\(rewrapped) data keys now wrapped by \(newKey.keyID)")
    // end sample
}

func durableStateDeletion(bank: HolderClient, arrangement: Arrangement) async throws {
    // sample: Sources/CDRClient/Docs.docc/DurableState.md#4
    let deletion = try await bank.revokeArrangement(id: arrangement.id)
    if let evidence = deletion.evidence { print(evidence) }
    for entry in try await bank.auditTrail(of: arrangement.id) {
        print(entry)  // consent.given, collection (operation, count, interaction id), consent.withdrawn, deletion
    }
    // end sample
}
