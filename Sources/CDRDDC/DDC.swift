// Digital Data Capture client: being built (issue #6).
