// The mock data holder's command line: see CDRMockHolder.
print("cdr-mock-holder")
