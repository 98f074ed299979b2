// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IKycRegistryOperations} from "./interfaces/IKycRegistryOperations.sol";
import {AnonProofVerifier} from "./zk/AnonProofVerifier.sol";

/// @title KycAnonGated — base for contracts that serve each verified person once, anonymously
/// @notice A holder who opted in to anonymous proofs at bind time proves "my attestation has every bit of
/// `ANON_CLAIMS_MASK` and outlives the root, in the tree of a root an attester published in the registry", from
/// any address, bound to a 160-bit signal of the consumer's choosing (a recipient, or keccak256(message) >> 96).
/// The proof reveals no subject, card key or person; its nullifier is the same for every proof of one holder secret
/// in this contract's scope, so `_useAnonProof` accepts each person once.
/// @dev Scope and claims mask are fixed at construction and folded into the statement once, so a proof costs two
/// ecMul + ecAdd, the 4-pair pairing, the registry's root lookup (`anonRootAt(rootRef)`: one slot of the attester's
/// ring) and one new storage slot (circuits/README.md "Gas"). Checks, in order: a root at the ref (`UnknownRoot`),
/// usable now (`UnusableRoot`: past its validUntil, which the registry keeps within the attester's CRL heartbeat
/// deadline and sets to zero on the attester's removal or a later `replaceAnonRoots`), not older than
/// ANON_MAX_ROOT_AGE (`StaleRoot`), nullifier unused (`NullifierUsed`), proof valid against that root
/// (`InvalidAnonProof`).
abstract contract KycAnonGated {
    /// @notice The only chain a contract built with the development key can be deployed on.
    uint256 public constant DEV_CHAIN_ID = 31337;

    /// @notice The registry holding the published roots.
    IKycRegistryOperations public immutable ANON_REGISTRY;
    /// @notice This contract's scope: keccak256(abi.encode(chainid, address(this))) >> 8.
    uint256 public immutable ANON_SCOPE;
    /// @notice The claim bits every proof must show.
    uint256 public immutable ANON_CLAIMS_MASK;
    /// @notice The longest a root may have gone since its (last) publication. A revoked holder's leaf is out of the
    /// attester's next root; older roots stop being accepted after this long (and after their validUntil).
    uint256 public immutable ANON_MAX_ROOT_AGE;

    uint256 private immutable _BASE_X;
    uint256 private immutable _BASE_Y;

    /// @notice Nullifiers (93 bits) used in this scope.
    mapping(uint256 nullifier => bool) public anonNullifierUsed;

    /// @notice Deployment with the development key was attempted on a chain other than `DEV_CHAIN_ID`.
    error DevelopmentKeyOnDevChainOnly(uint256 chainId);
    /// @notice The registry is the zero address, or the claims mask is zero or wider than 32 bits.
    error InvalidAnonConfiguration();
    /// @notice No root was published at this ref of the registry's rings.
    error UnknownRoot(uint256 rootRef);
    /// @notice The root is past its validUntil (which is never past its attester's CRL heartbeat deadline), its
    /// attester was removed, or the attester published a root that replaced it (`replaceAnonRoots`).
    error UnusableRoot(uint256 rootRef);
    /// @notice The root was published more than ANON_MAX_ROOT_AGE ago.
    error StaleRoot(uint256 rootRef, uint64 publishedAt);
    /// @notice This person (nullifier) has used this scope already.
    error NullifierUsed(uint256 nullifier);
    /// @notice The proof does not verify for these public signals (another signal, scope, mask or root).
    error InvalidAnonProof();

    /// @param registry the KYC registry (protocol v2) whose attesters publish roots
    /// @param claimsMask the claim bits every proof must show (non-zero, 32 bits)
    /// @param maxRootAge the bound on a root's age, seconds
    constructor(IKycRegistryOperations registry, uint32 claimsMask, uint256 maxRootAge) {
        if (AnonProofVerifier.DEVELOPMENT && block.chainid != DEV_CHAIN_ID) {
            revert DevelopmentKeyOnDevChainOnly(block.chainid);
        }
        if (address(registry) == address(0) || claimsMask == 0) revert InvalidAnonConfiguration();
        // both below r (248 and 32 bits), so the base is never the (0, 0) of a refused input
        uint256 scope = uint256(keccak256(abi.encode(block.chainid, address(this)))) >> 8;
        (uint256 x, uint256 y) = AnonProofVerifier.statementBase(scope, claimsMask);
        ANON_REGISTRY = registry;
        ANON_SCOPE = scope;
        ANON_CLAIMS_MASK = claimsMask;
        ANON_MAX_ROOT_AGE = maxRootAge;
        _BASE_X = x;
        _BASE_Y = y;
    }

    /// @notice The 160-bit signal of a message: keccak256(message) >> 96. (An address is its own signal.)
    function anonSignalOf(bytes memory message) public pure returns (uint160) {
        return uint160(uint256(keccak256(message)) >> 96);
    }

    /// @notice Checks an anonymous proof and records its nullifier; returns the nullifier and the signal the proof
    /// is bound to (the caller compares the signal with what it serves, e.g. uses it as the recipient).
    /// @param proof [A.x, A.y, B.x.im, B.x.re, B.y.im, B.y.re, C.x, C.y]
    /// @param rootRef where the registry holds the root the proof is against (`AnonRootPublished.ref`)
    /// @param nullifierSignal nullifier * 2^160 + signal (the proof's first public signal)
    function _useAnonProof(
        uint256[8] calldata proof,
        uint256 rootRef,
        uint256 nullifierSignal
    ) internal returns (uint256 nullifier, uint160 signal) {
        (uint256 root, uint256 publishedAt, uint256 validUntil) = _anonRootAt(rootRef);
        if (root == 0) revert UnknownRoot(rootRef);
        if (block.timestamp > validUntil) revert UnusableRoot(rootRef);
        // publishedAt is a past block time, so this cannot underflow (and any maxRootAge works, even "no bound")
        if (block.timestamp - publishedAt > ANON_MAX_ROOT_AGE) revert StaleRoot(rootRef, uint64(publishedAt));
        nullifier = nullifierSignal >> 160;
        mapping(uint256 => bool) storage used = anonNullifierUsed;
        bool seen;
        uint256 slot;
        assembly ("memory-safe") {
            mstore(0x00, nullifier)
            mstore(0x20, used.slot)
            slot := keccak256(0x00, 0x40)
            seen := sload(slot)
        }
        if (seen) revert NullifierUsed(nullifier);
        if (!AnonProofVerifier.verify(proof, nullifierSignal, root, _BASE_X, _BASE_Y)) revert InvalidAnonProof();
        assembly ("memory-safe") {
            sstore(slot, 1)
        }
        signal = uint160(nullifierSignal);
    }

    /// @dev `ANON_REGISTRY.anonRootAt(rootRef)` without the ABI decoder's checks: the registry is fixed at
    /// construction, and a reply shorter than three words reverts.
    function _anonRootAt(uint256 rootRef) private view returns (uint256 root, uint256 publishedAt, uint256 validUntil) {
        address registry = address(ANON_REGISTRY);
        bytes4 selector = IKycRegistryOperations.anonRootAt.selector;
        assembly ("memory-safe") {
            let p := mload(0x40)
            mstore(p, selector)
            mstore(add(p, 0x04), rootRef)
            let ok := staticcall(gas(), registry, p, 0x24, p, 0x60)
            if iszero(and(ok, eq(returndatasize(), 0x60))) {
                returndatacopy(p, 0, returndatasize())
                revert(p, returndatasize())
            }
            root := mload(p)
            publishedAt := mload(add(p, 0x20))
            validUntil := mload(add(p, 0x40))
        }
    }
}
