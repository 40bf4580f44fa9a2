"""The gate: the signed ticket code, signing keys and revocation, check-in at the gate,
and gate packs for gates that work offline."""
