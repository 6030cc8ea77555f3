// Placeholder; the adapter lands with the revocation handler.
