"""sogoms-crypt: field encryption as a service on its own socket."""
