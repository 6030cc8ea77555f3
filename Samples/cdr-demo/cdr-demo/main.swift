// Placeholder: the command line arrives with the demo.
