// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IAnonVerifier} from "../interfaces/IAnonVerifier.sol";
import {IKycRegistryOperations} from "../interfaces/IKycRegistryOperations.sol";
import {Claims} from "../libraries/Claims.sol";

/// @title AnonAgeGatedAirdrop — an example airdrop for adults (AGE_20), one per person, claimed anonymously
/// @notice A holder who opted in to anonymous proofs at bind time proves, from any address, "I hold an attestation
/// with AGE_20 in a tree whose root an attester published in the registry, not expired at `now`", and names the
/// recipient in the proof's signal. The proof reveals no subject, card or person; its nullifier
/// (Poseidon(SCOPE, secret)) is the same for every proof of one secret in this contract's scope, so each person is
/// paid once (the operator locks one commitment per card key and person tag: circuits/README.md).
/// @dev Public signals, in the verifier's order: [nullifier, root, claimsMask, now, scope, signalHash]. A real
/// airdrop would transfer tokens in `claim`; this example records the recipient per nullifier and emits. Roots of any
/// attester the registry deems usable are accepted; a consumer that trusts only some operators compares
/// `anonRoot(root).attester`.
contract AnonAgeGatedAirdrop {
    /// @notice The claims the proof must show (its `claimsMask` signal, exactly).
    uint256 public constant CLAIMS_MASK = Claims.AGE_20;
    /// @notice How far `now` may lie before the block's time (a proof shows validity at `now`, not at inclusion).
    uint256 public constant MAX_PROOF_AGE = 1 hours;

    /// @notice The registry holding the published roots.
    IKycRegistryOperations public immutable REGISTRY;
    /// @notice The Groth16 verifier of the anonymous-attestation circuit.
    IAnonVerifier public immutable VERIFIER;
    /// @notice The longest a root may have gone since its (last) publication: a revoked holder's leaf is out of the
    /// operator's next root, and the older roots stop being accepted after this long.
    uint256 public immutable MAX_ROOT_AGE;
    /// @notice This contract's scope: hashToField(abi.encode(chainid, address(this))) = keccak256(…) >> 8.
    uint256 public immutable SCOPE;

    /// @notice The recipient paid for each nullifier (zero: unused).
    mapping(uint256 nullifier => address recipient) public recipientOf;

    /// @notice An adult claimed for `recipient`; `nullifier` is used.
    event Claimed(uint256 indexed nullifier, address indexed recipient, bytes32 root);

    /// @notice The root was never published in the registry.
    error UnknownRoot(bytes32 root);
    /// @notice The root's attester is no longer active or its CRL heartbeat is stale.
    error UnusableRoot(bytes32 root);
    /// @notice The root was published more than MAX_ROOT_AGE ago.
    error StaleRoot(bytes32 root, uint64 publishedAt);
    /// @notice The proof's scope is not this contract's.
    error WrongScope(uint256 scope);
    /// @notice The proof's claims mask is not CLAIMS_MASK.
    error WrongClaimsMask(uint256 claimsMask);
    /// @notice The proof's `now` is in the future or older than MAX_PROOF_AGE.
    error ProofTimeOutOfWindow(uint256 proofTime);
    /// @notice The recipient is the zero address.
    error InvalidRecipient();
    /// @notice This person (nullifier) has claimed already.
    error NullifierUsed(uint256 nullifier);
    /// @notice The proof does not verify for these public signals (e.g. another recipient than the one proved).
    error InvalidProof();

    /// @param registry the KYC registry (protocol v2) whose attesters publish roots
    /// @param verifier the anonymous-attestation verifier (production key; the development one on chain 31337 only)
    /// @param maxRootAge the bound on a root's age, seconds
    constructor(IKycRegistryOperations registry, IAnonVerifier verifier, uint256 maxRootAge) {
        REGISTRY = registry;
        VERIFIER = verifier;
        MAX_ROOT_AGE = maxRootAge;
        SCOPE = uint256(keccak256(abi.encode(block.chainid, address(this)))) >> 8;
    }

    /// @notice The signal a proof for `recipient` carries: hashToField(abi.encode(recipient)).
    function signalOf(address recipient) public pure returns (uint256) {
        return uint256(keccak256(abi.encode(recipient))) >> 8;
    }

    /// @notice Pays `recipient` once for the person behind the proof. Anyone may send it: the recipient is bound by
    /// the proof's signal, so a front-runner cannot redirect the claim.
    function claim(
        address recipient,
        uint256[2] calldata pA,
        uint256[2][2] calldata pB,
        uint256[2] calldata pC,
        uint256[6] calldata pubSignals
    ) external {
        if (recipient == address(0)) revert InvalidRecipient();
        uint256 nullifier = pubSignals[0];
        if (pubSignals[4] != SCOPE) revert WrongScope(pubSignals[4]);
        if (pubSignals[2] != CLAIMS_MASK) revert WrongClaimsMask(pubSignals[2]);
        uint256 proofTime = pubSignals[3];
        if (proofTime > block.timestamp || proofTime + MAX_PROOF_AGE < block.timestamp) {
            revert ProofTimeOutOfWindow(proofTime);
        }
        bytes32 root = bytes32(pubSignals[1]);
        (address attester, uint64 publishedAt, bool usable) = REGISTRY.anonRoot(root);
        if (attester == address(0)) revert UnknownRoot(root);
        if (!usable) revert UnusableRoot(root);
        if (publishedAt + MAX_ROOT_AGE < block.timestamp) revert StaleRoot(root, publishedAt);
        if (recipientOf[nullifier] != address(0)) revert NullifierUsed(nullifier);
        if (pubSignals[5] != signalOf(recipient) || !VERIFIER.verifyProof(pA, pB, pC, pubSignals)) {
            revert InvalidProof();
        }
        recipientOf[nullifier] = recipient;
        emit Claimed(nullifier, recipient, root);
    }
}
