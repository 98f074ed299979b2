// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {KycRegistryAdmin} from "../../contracts/KycRegistryAdmin.sol";
import {KycRegistryHarness} from "../../contracts/mocks/KycRegistryHarness.sol";
import {KycStatus} from "../../contracts/interfaces/IKycRegistry.sol";
import {IKycRegistryFull} from "../../contracts/interfaces/IKycRegistryFull.sol";
import {
    AnchorKind,
    AttestationRequest,
    AttestationView,
    RevocationReason
} from "../../contracts/interfaces/KycTypes.sol";

/// @dev The cheatcodes this file uses (Hardhat's Solidity test runner serves them at the usual address; `sign` and
/// `addr` are supported, unlike the key-management cheatcodes).
interface Vm {
    function warp(uint256 timestamp) external;
    function prank(address sender) external;
    function sign(uint256 privateKey, bytes32 digest) external pure returns (uint8 v, bytes32 r, bytes32 s);
    function addr(uint256 privateKey) external pure returns (address);
}

Vm constant VM = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));

/// @dev Shared setup (protocol v2): the admin extension, a harness registry (card signature = keccak256(modulus ‖
/// digest)) reached as `IKycRegistryFull`, two attesters, six subjects with ECDSA keys (they sign their bindings),
/// ten card keys and three person tags. The deploying contract is the admin, the anchor manager and the revoker.
abstract contract RegistryWorld {
    IKycRegistryFull public registry;
    uint256[6] internal subjectKeys;
    address[6] internal subjects;
    address[2] internal attesters;
    uint256 internal constant SUBJECTS = 6;
    uint256 internal constant KEYS = 10;
    uint32 internal constant AUTH = 1;
    uint32 internal constant IDENTITY = 2;
    uint32 internal constant AGE_18 = 4;
    uint32 internal constant AGE_20 = 8;
    uint32 internal constant FROM_SIGNING = IDENTITY | AGE_18 | AGE_20;
    uint64 internal constant GRID = 15_778_476;

    function _setUpWorld() internal {
        KycRegistryAdmin extension = new KycRegistryAdmin();
        registry = IKycRegistryFull(address(new KycRegistryHarness(address(this), 0, 365 days, 0, address(extension))));
        registry.grantRole(registry.ANCHOR_MANAGER_ROLE(), address(this));
        registry.grantRole(registry.REVOKER_ROLE(), address(this));
        registry.addTrustAnchor(AnchorKind.Authentication, keccak256("auth ca"), 1, type(uint64).max);
        for (uint256 i = 0; i < 2; ++i) {
            attesters[i] = address(uint160(0xA77E5700 + i));
            registry.grantRole(registry.ATTESTER_ROLE(), attesters[i]);
        }
        for (uint256 i = 0; i < SUBJECTS; ++i) {
            subjectKeys[i] = 0x5B1EC7000 + i;
            subjects[i] = VM.addr(subjectKeys[i]);
        }
        VM.warp(1_800_000_000);
    }

    function _modulus(uint256 keyIndex) internal pure returns (bytes memory m) {
        m = new bytes(256);
        for (uint256 w = 0; w < 8; ++w) {
            bytes32 word = keccak256(abi.encode("synthetic modulus", keyIndex, w));
            assembly ("memory-safe") {
                mstore(add(add(m, 32), mul(w, 32)), word)
            }
        }
        m[0] = 0xc3; // 2048 bits, no leading zero
    }

    function _nullifier(uint256 keyIndex) internal pure returns (bytes32) {
        return keccak256(abi.encodePacked(uint8(0), _modulus(keyIndex)));
    }

    function _cardSig(bytes memory modulus, bytes32 digest) internal pure returns (bytes memory) {
        return abi.encodePacked(keccak256(abi.encodePacked(modulus, digest)));
    }

    function _walletSig(uint256 privateKey, bytes32 digest) internal pure returns (bytes memory) {
        (uint8 v, bytes32 r, bytes32 s) = VM.sign(privateKey, digest);
        return abi.encodePacked(r, s, v);
    }

    function _request(address subject, uint32 claims, bytes32 tag) internal view returns (AttestationRequest memory r) {
        r.subject = subject;
        r.disclose = 0xF;
        r.deadline = uint64(block.timestamp + 1 hours);
        r.claims = claims;
        r.personTag = tag;
        r.expiryCap = uint64(((block.timestamp + 5 * 365 days) / GRID) * GRID);
        r.caId = 1;
        r.recordCommitment = keccak256(abi.encode("record", subject, block.timestamp));
    }

    function _digest(AttestationRequest memory req, address attester) internal view returns (bytes32) {
        return
            registry.bindingDigest(
                req.subject,
                attester,
                req.disclose,
                registry.nonces(req.subject),
                req.deadline,
                req.anonCommitment
            );
    }

    /// @dev Attest as `attester` with card `keyIndex`, the binding signed by the wallet key `signerKey`; returns
    /// whether it succeeded (expected failures are part of the exploration).
    function _tryAttestSignedBy(
        address attester,
        AttestationRequest memory req,
        uint256 keyIndex,
        uint256 signerKey
    ) internal returns (bool) {
        bytes memory modulus = _modulus(keyIndex);
        bytes32 digest = _digest(req, attester);
        bytes memory cardSig = _cardSig(modulus, digest);
        bytes memory walletSig = _walletSig(signerKey, digest);
        VM.prank(attester);
        try registry.attest(req, modulus, cardSig, walletSig) {
            return true;
        } catch {
            return false;
        }
    }

    function _tryAttest(address attester, AttestationRequest memory req, uint256 keyIndex) internal returns (bool) {
        return _tryAttestSignedBy(attester, req, keyIndex, _keyOf(req.subject));
    }

    function _keyOf(address subject) internal view returns (uint256) {
        for (uint256 i = 0; i < SUBJECTS; ++i) if (subjects[i] == subject) return subjectKeys[i];
        revert("unknown subject");
    }

    function _live(AttestationView memory v) internal view returns (bool) {
        return v.status == KycStatus.Active && v.expiresAt > block.timestamp;
    }

    function _revokeByCard(address subject, uint256 keyIndex) internal returns (bool) {
        bytes memory modulus = _modulus(keyIndex);
        uint64 deadline = uint64(block.timestamp + 1 hours);
        bytes32 digest = registry.revokeDigest(subject, registry.nonces(subject), deadline);
        try registry.revokeByCard(subject, deadline, modulus, _cardSig(modulus, digest)) {
            return true;
        } catch {
            return false;
        }
    }
}

/// @dev Drives the registry with random attest / revoke / burn / drop / time / role / anchor sequences, and keeps an
/// oracle of what each attest must do (succeed exactly when consent, key state, attester, anchor and tag allow).
contract RegistryHandler is RegistryWorld {
    mapping(address subject => uint256) public keyOf; // key index of the subject's last successful attestation
    mapping(uint256 keyIndex => bool) public burned;
    bool[2] internal attesterActive = [true, true];
    bool internal anchorEnabled = true;

    uint256 public attests;
    uint256 public burns;
    uint256 public unexpectedOutcome; // must stay 0: an attest succeeded or failed against the oracle
    uint256 public burnedKeyAttested; // must stay 0
    uint256 public attestedWithoutConsent; // must stay 0
    uint256 public nonceNotConsumed; // must stay 0
    uint256 public removedAttesterActed; // must stay 0
    uint256 public dropBrokeRecord; // must stay 0: a claim drop left the record inactive or without AUTH

    constructor() {
        _setUpWorld();
    }

    function attest(
        uint256 subjectSeed,
        uint256 keySeed,
        uint256 tagSeed,
        uint8 claimsSeed,
        uint256 attesterSeed,
        uint8 consentSeed
    ) external {
        bool consent = consentSeed % 4 != 0; // mostly consenting wallets, so that records build up
        uint256 si = subjectSeed % SUBJECTS;
        address subject = subjects[si];
        uint256 keyIndex = keySeed % KEYS;
        uint256 ai = attesterSeed % 2;
        uint32[4] memory options = [AUTH, AUTH | IDENTITY, AUTH | AGE_20, AUTH | IDENTITY | AGE_18 | AGE_20];
        uint32 claims = options[claimsSeed % 4];
        bytes32 tag = claims & FROM_SIGNING != 0 ? bytes32(1 + (tagSeed % 3)) : bytes32(0);
        AttestationRequest memory req = _request(subject, claims, tag);

        bool expected = consent && _keyUsableBy(keyIndex, subject) && attesterActive[ai] && anchorEnabled;
        if (expected && tag != bytes32(0)) expected = _tagFree(attesters[ai], tag, subject);
        uint256 nonceBefore = registry.nonces(subject);
        uint256 signer = consent ? subjectKeys[si] : subjectKeys[(si + 1) % SUBJECTS];
        bool ok = _tryAttestSignedBy(attesters[ai], req, keyIndex, signer);
        if (ok != expected) ++unexpectedOutcome;
        if (ok) {
            if (burned[keyIndex]) ++burnedKeyAttested;
            if (!consent) ++attestedWithoutConsent;
            if (registry.nonces(subject) != nonceBefore + 1) ++nonceNotConsumed;
            keyOf[subject] = keyIndex;
            ++attests;
        }
    }

    /// @dev Ends a record: 0 revoker (Operator), 1 revokeSelf, 2 revokeByCard, 3 revokeInvalidKeys (burns), 4 an
    /// attester's revoke, 5 expiry.
    function end(uint256 subjectSeed, uint256 how, uint256 attesterSeed) external {
        address subject = subjects[subjectSeed % SUBJECTS];
        how %= 6;
        if (how == 0) {
            try registry.revoke(subject, RevocationReason.Operator) {} catch {}
        } else if (how == 1) {
            VM.prank(subject);
            try registry.revokeSelf() {} catch {}
        } else if (how == 2) {
            _revokeByCard(subject, keyOf[subject]);
        } else if (how == 3) {
            uint256 k = keyOf[subject];
            if (registry.attestationOf(subject).status != KycStatus.None) {
                bytes32[] memory keys = new bytes32[](1);
                keys[0] = _nullifier(k);
                registry.revokeInvalidKeys(keys);
                if (!burned[k]) ++burns;
                burned[k] = true;
            }
        } else if (how == 4) {
            uint256 ai = attesterSeed % 2;
            VM.prank(attesters[ai]);
            try registry.revoke(subject, RevocationReason.Superseded) {
                if (!attesterActive[ai]) ++removedAttesterActed;
            } catch {}
            address[] memory list = new address[](1);
            list[0] = subject;
            VM.prank(attesters[ai]);
            uint256 n = registry.revokeBatch(list, RevocationReason.Operator);
            if (n != 0 && !attesterActive[ai]) ++removedAttesterActed;
        } else {
            VM.warp(block.timestamp + 366 days);
        }
    }

    function dropClaims(uint256 subjectSeed, uint256 attesterSeed) external {
        address subject = subjects[subjectSeed % SUBJECTS];
        uint256 ai = attesterSeed % 2;
        address[] memory list = new address[](1);
        list[0] = subject;
        VM.prank(attesters[ai]);
        uint256 n = registry.dropSigningClaims(list);
        if (n != 0) {
            if (!attesterActive[ai]) ++removedAttesterActed;
            AttestationView memory v = registry.attestationOf(subject);
            if (!_live(v) || v.claims != AUTH || v.personTag != bytes32(0)) ++dropBrokeRecord;
        }
    }

    function warp(uint256 by) external {
        VM.warp(block.timestamp + (by % 200 days));
    }

    /// @dev Mostly enabling, so that attests keep landing.
    function toggleAnchor(uint8 seed) external {
        bool enabled = seed % 4 != 0;
        registry.setTrustAnchorEnabled(1, enabled);
        anchorEnabled = enabled;
    }

    /// @dev Mostly granting, so that attests keep landing.
    function toggleAttester(uint256 attesterSeed, uint8 seed) external {
        uint256 ai = attesterSeed % 2;
        bool grant = seed % 4 != 0;
        if (grant) registry.grantRole(registry.ATTESTER_ROLE(), attesters[ai]);
        else registry.revokeRole(registry.ATTESTER_ROLE(), attesters[ai]);
        attesterActive[ai] = grant;
    }

    function subjectAt(uint256 i) external view returns (address) {
        return subjects[i];
    }

    function nullifierOf(uint256 keyIndex) external pure returns (bytes32) {
        return _nullifier(keyIndex);
    }

    /// @dev The oracle of the key rule: not burned, and not active on another subject.
    function _keyUsableBy(uint256 keyIndex, address subject) internal view returns (bool) {
        (address bound, bool active, bool isBurned) = registry.keyState(_nullifier(keyIndex));
        return !isBurned && !(active && bound != subject);
    }

    /// @dev The oracle of the tag rule, by scanning every other subject (stronger than the registry's lazy check).
    function _tagFree(address attester, bytes32 tag, address subject) internal view returns (bool) {
        for (uint256 i = 0; i < SUBJECTS; ++i) {
            if (subjects[i] == subject) continue;
            AttestationView memory v = registry.attestationOf(subjects[i]);
            if (_live(v) && v.attester == attester && v.personTag == tag) return false;
        }
        return true;
    }
}

/// @notice Invariants of protocol v2: one live record per key, a burned key never binds, a live person tag is unique
/// per attester, every attest follows the oracle (consent, key state, attester, anchor, tag), reads agree.
contract KycRegistryInvariantTest {
    RegistryHandler internal handler;
    IKycRegistryFull internal registry;

    function setUp() public {
        handler = new RegistryHandler();
        registry = handler.registry();
    }

    function targetContracts() public view returns (address[] memory targets) {
        targets = new address[](1);
        targets[0] = address(handler);
    }

    /// hardhat-config: invariant.runs = 32
    /// hardhat-config: invariant.depth = 40
    function invariant_oneLiveRecordPerKeyAndKeyStateAgrees() public view {
        for (uint256 k = 0; k < 10; ++k) {
            bytes32 n = handler.nullifierOf(k);
            uint256 holders = 0;
            address holder;
            for (uint256 i = 0; i < 6; ++i) {
                address s = handler.subjectAt(i);
                AttestationView memory v = registry.attestationOf(s);
                if (v.status == KycStatus.Active && v.expiresAt > block.timestamp && registry.isCurrentKey(s, n)) {
                    ++holders;
                    holder = s;
                }
            }
            require(holders <= 1, "two live records share a card key");
            (address bound, bool active, bool burned) = registry.keyState(n);
            require(active == (holders == 1), "keyState.active disagrees with the records");
            if (active) require(bound == holder, "keyState names another subject");
            require(burned == handler.burned(k), "burned flag differs from the burns made");
            if (burned) require(!active, "a burned key is active");
        }
    }

    /// hardhat-config: invariant.runs = 32
    /// hardhat-config: invariant.depth = 40
    function invariant_attestsFollowTheOracle() public view {
        require(handler.unexpectedOutcome() == 0, "an attest outcome differs from the rules");
        require(handler.burnedKeyAttested() == 0, "a burned key attested");
        require(handler.attestedWithoutConsent() == 0, "an attestation without the wallet's consent");
        require(handler.nonceNotConsumed() == 0, "an attest did not consume the holder nonce");
        require(handler.removedAttesterActed() == 0, "a removed attester revoked or dropped claims");
        require(handler.dropBrokeRecord() == 0, "a claim drop did not leave an active AUTH record");
    }

    /// hardhat-config: invariant.runs = 32
    /// hardhat-config: invariant.depth = 40
    function invariant_liveSigningClaimsHaveAUniqueTag() public view {
        for (uint256 i = 0; i < 6; ++i) {
            AttestationView memory a = registry.attestationOf(handler.subjectAt(i));
            if (a.status != KycStatus.None) require(a.claims & 1 != 0, "a record without AUTH");
            if (!(a.status == KycStatus.Active && a.expiresAt > block.timestamp)) continue;
            bool signing = a.claims & 14 != 0;
            require(signing == (a.personTag != bytes32(0)), "signing claims and person tag disagree");
            if (!signing) continue;
            for (uint256 j = i + 1; j < 6; ++j) {
                AttestationView memory b = registry.attestationOf(handler.subjectAt(j));
                if (!(b.status == KycStatus.Active && b.expiresAt > block.timestamp)) continue;
                require(
                    !(a.attester == b.attester && a.personTag == b.personTag),
                    "two live records share (attester, personTag)"
                );
            }
        }
    }

    /// @dev The assembly fast path of isVerified and hasClaims agrees with kycStatus in every state.
    /// hardhat-config: invariant.runs = 32
    /// hardhat-config: invariant.depth = 40
    function invariant_readsAgree() public view {
        for (uint256 i = 0; i < 6; ++i) {
            address s = handler.subjectAt(i);
            (KycStatus status, uint32 claims, ) = registry.kycStatus(s);
            bool active = status == KycStatus.Active;
            require(registry.isVerified(s) == active, "isVerified disagrees with kycStatus");
            require(registry.hasClaims(s, 1) == active, "hasClaims(AUTH) disagrees with kycStatus");
            require(registry.hasClaims(s, claims | 1) == active, "hasClaims(own claims) disagrees");
            require(!registry.hasClaims(s, claims | 0x80000000) || claims & 0x80000000 != 0, "claims invented");
        }
    }

    /// hardhat-config: invariant.runs = 32
    /// hardhat-config: invariant.depth = 40
    function invariant_expiriesOnTheHalfYearGridAndBounded() public view {
        for (uint256 i = 0; i < 6; ++i) {
            AttestationView memory a = registry.attestationOf(handler.subjectAt(i));
            if (a.status == KycStatus.None) continue;
            require(a.expiresAt % 15_778_476 == 0, "expiry off the grid");
            require(a.expiresAt <= a.attestedAt + registry.maxAge(), "expiry beyond maxAge");
            require(a.expiresAt > a.attestedAt, "expiry not after the attestation");
        }
    }
}

/// @notice Stateless fuzz tests of the v2 attestation rules.
contract KycRegistryFuzzTest is RegistryWorld {
    function setUp() public {
        _setUpWorld();
    }

    /// @dev expiresAt = min(cap, floorGrid(now + maxAge)); a cap off the grid or an expiry not ahead is refused.
    function testFuzz_expiryRounding(uint64 cap, uint32 later) public {
        VM.warp(block.timestamp + later);
        AttestationRequest memory req = _request(subjects[0], AUTH, bytes32(0));
        req.expiryCap = cap;
        bool ok = _tryAttest(attesters[0], req, 0);
        uint256 bound = block.timestamp + registry.maxAge();
        bound -= bound % GRID;
        uint256 expected = cap < bound ? cap : bound;
        bool shouldPass = cap % GRID == 0 && expected > block.timestamp;
        require(ok == shouldPass, "acceptance differs from the rule");
        if (ok) {
            (, , uint64 expiresAt) = registry.kycStatus(subjects[0]);
            require(expiresAt == expected, "wrong expiry");
        }
    }

    /// @dev Published claims contain AUTH and are a subset of the disclose mask; a tag iff a signing claim.
    function testFuzz_claimsWithinDisclose(uint32 disclose, uint32 claims, bool withTag) public {
        AttestationRequest memory req = _request(subjects[1], claims, withTag ? bytes32(uint256(7)) : bytes32(0));
        req.disclose = disclose;
        bool ok = _tryAttest(attesters[1], req, 1);
        bool shouldPass = claims & AUTH != 0 && claims & ~disclose == 0 && ((claims & FROM_SIGNING != 0) == withTag);
        require(ok == shouldPass, "claims rule violated");
        if (ok) require(registry.hasClaims(subjects[1], claims), "claims not published");
    }

    /// @dev Only the subject's own wallet key consents: any other signer is refused.
    function testFuzz_walletConsentRequired(uint256 signerSeed, uint8 s) public {
        address subject = subjects[s % SUBJECTS];
        // a valid secp256k1 private key
        uint256 pk = 1 + (signerSeed % (0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364140));
        bool ok = _tryAttestSignedBy(attesters[0], _request(subject, AUTH, bytes32(0)), 2, pk);
        require(ok == (VM.addr(pk) == subject), "consent rule violated");
    }

    /// @dev A binding names its attester: another attester cannot use it.
    function testFuzz_bindingNamesTheAttester(bool named, bool submits) public {
        AttestationRequest memory req = _request(subjects[2], AUTH, bytes32(0));
        bytes memory modulus = _modulus(3);
        bytes32 digest = _digest(req, attesters[named ? 1 : 0]);
        bytes memory cardSig = _cardSig(modulus, digest);
        bytes memory walletSig = _walletSig(subjectKeys[2], digest);
        VM.prank(attesters[submits ? 1 : 0]);
        bool ok;
        try registry.attest(req, modulus, cardSig, walletSig) {
            ok = true;
        } catch {}
        require(ok == (named == submits), "a binding was used by another attester");
    }

    /// @dev A key holds one live record; after any non-compromise end (revokeSelf, revokeByCard, revoke, expiry) it
    /// binds another subject; after revokeInvalidKeys it never binds again.
    function testFuzz_keyLifecycle(uint8 a, uint8 b, uint8 key, uint8 how) public {
        address sa = subjects[a % SUBJECTS];
        address sb = subjects[b % SUBJECTS];
        uint256 k = key % KEYS;
        require(_tryAttest(attesters[0], _request(sa, AUTH, bytes32(0)), k), "first binding failed");
        bool second = _tryAttest(attesters[1], _request(sb, AUTH | IDENTITY, bytes32(uint256(9))), k);
        require(second == (sa == sb), "a live key bound another subject, or its own re-attestation was refused");
        how %= 5;
        if (how == 0) {
            VM.prank(sa);
            registry.revokeSelf();
        } else if (how == 1) {
            require(_revokeByCard(sa, k), "revokeByCard failed");
        } else if (how == 2) {
            registry.revoke(sa, RevocationReason.Superseded);
        } else if (how == 3) {
            VM.warp(block.timestamp + 366 days);
        } else {
            bytes32[] memory keys = new bytes32[](1);
            keys[0] = _nullifier(k);
            require(registry.revokeInvalidKeys(keys) == 1, "the live record was not revoked");
        }
        address other = subjects[(uint256(a) + 1) % SUBJECTS];
        bool rebound = _tryAttest(attesters[0], _request(other, AUTH, bytes32(0)), k);
        require(rebound == (how != 4), "the key lifecycle differs from the rules");
        (, , bool isBurned) = registry.keyState(_nullifier(k));
        require(isBurned == (how == 4), "burned flag wrong");
    }
}
