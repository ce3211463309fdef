// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// The contract alternative to Trialgate's anchor transaction, kept for the gas comparison in
/// bench/suites/anchor.ts (docs/anchoring.md "Transaction format"). Not deployed: the service sends a plain
/// self-transaction whose input is the digest, which costs less and asks a verifier to trust no code.
contract TrialgateAnchor {
    /// One anchored checkpoint digest, SHA-256 of the checkpoint body (spec section 6).
    event Anchored(address indexed sender, bytes32 indexed digest);

    function anchor(bytes32 digest) external {
        emit Anchored(msg.sender, digest);
    }
}
