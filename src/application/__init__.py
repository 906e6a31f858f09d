"""Use cases of SOGOMS and the ports (typing.Protocol) they need; imports only the domain."""
