// Placeholder: the demo's main path.
