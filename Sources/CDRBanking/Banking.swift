// Typed CDS banking client: being built (issue #6).
