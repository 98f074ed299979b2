// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {KycRegistryHarness} from "../../contracts/mocks/KycRegistryHarness.sol";
import {KycRegistry} from "../../contracts/KycRegistry.sol";
import {KycStatus} from "../../contracts/interfaces/IKycRegistry.sol";
import {IKycRegistryOperations} from "../../contracts/interfaces/IKycRegistryOperations.sol";
import {
    AnchorKind,
    AttestationRequest,
    AttestationView,
    RevocationReason
} from "../../contracts/interfaces/KycTypes.sol";

/// @dev The cheatcodes this file uses (Hardhat's Solidity test runner serves them at the usual address).
interface Vm {
    function warp(uint256 timestamp) external;
    function prank(address sender) external;
}

Vm constant VM = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));

/// @dev Shared setup: a harness registry (card signature = keccak256(modulus, digest)) with two attesters,
/// eight subjects, twelve card keys and four person tags.
abstract contract RegistryWorld {
    KycRegistryHarness public registry;
    address[8] internal subjects;
    address[2] internal attesters;
    uint256 internal constant KEYS = 12;
    uint32 internal constant AUTH = 1;
    uint32 internal constant IDENTITY = 2;

    function _setUpWorld() internal {
        registry = new KycRegistryHarness(address(this), 0, 365 days, 0);
        registry.grantRole(registry.ANCHOR_MANAGER_ROLE(), address(this));
        registry.grantRole(registry.REVOKER_ROLE(), address(this));
        registry.addTrustAnchor(AnchorKind.Authentication, keccak256("auth ca"), 1, type(uint64).max);
        for (uint256 i = 0; i < 2; ++i) {
            attesters[i] = address(uint160(0xA77E5700 + i));
            registry.grantRole(registry.ATTESTER_ROLE(), attesters[i]);
        }
        for (uint256 i = 0; i < 8; ++i) subjects[i] = address(uint160(0x5B1EC700 + i));
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

    function _cardSig(bytes memory modulus, bytes32 digest) internal pure returns (bytes memory) {
        return abi.encodePacked(keccak256(abi.encodePacked(modulus, digest)));
    }

    function _request(address subject, uint32 claims, bytes32 tag) internal view returns (AttestationRequest memory r) {
        r.subject = subject;
        r.disclose = 0xF;
        r.deadline = uint64(block.timestamp + 1 hours);
        r.claims = claims;
        r.personTag = tag;
        r.expiryCap = uint64(((block.timestamp + 5 * 365 days) / 30 days) * 30 days);
        r.caId = 1;
    }

    /// @dev Attest as `attester`; returns whether it succeeded (expected failures are part of the exploration).
    function _tryAttest(address attester, AttestationRequest memory req, uint256 keyIndex) internal returns (bool) {
        bytes memory modulus = _modulus(keyIndex);
        bytes32 digest = registry.bindingDigest(req.subject, req.disclose, registry.nonces(req.subject), req.deadline);
        VM.prank(attester);
        try registry.attest(req, modulus, _cardSig(modulus, digest)) {
            return true;
        } catch {
            return false;
        }
    }

    function _live(address subject) internal view returns (bool live, AttestationView memory v) {
        v = registry.attestationOf(subject);
        live = v.status == KycStatus.Active && v.expiresAt > block.timestamp;
    }
}

/// @dev Drives the registry with random attest / revoke / time-travel sequences.
contract RegistryHandler is RegistryWorld {
    mapping(address subject => uint256) public keyOf; // key index of the subject's last successful attestation
    uint256 public attests;
    uint256 public revocations;
    uint256 public reattests; // successful attests over a live record (same key: re-attestation)
    uint256 public keyChangedWhileLive; // must stay 0
    uint256 public nonceNotConsumed; // must stay 0

    constructor() {
        _setUpWorld();
    }

    function attest(
        uint256 subjectSeed,
        uint256 keySeed,
        uint256 tagSeed,
        bool identity,
        uint256 attesterSeed
    ) external {
        address subject = subjects[subjectSeed % 8];
        uint256 keyIndex = keySeed % KEYS;
        bytes32 tag = identity ? bytes32(1 + (tagSeed % 4)) : bytes32(0);
        AttestationRequest memory req = _request(subject, identity ? AUTH | IDENTITY : AUTH, tag);
        (bool wasLive, ) = _live(subject);
        uint256 nonceBefore = registry.nonces(subject);
        if (_tryAttest(attesters[attesterSeed % 2], req, keyIndex)) {
            if (wasLive) {
                ++reattests;
                if (keyIndex != keyOf[subject]) ++keyChangedWhileLive;
            }
            if (registry.nonces(subject) != nonceBefore + 1) ++nonceNotConsumed;
            keyOf[subject] = keyIndex;
            ++attests;
        }
    }

    function revoke(uint256 subjectSeed, uint256 how) external {
        address subject = subjects[subjectSeed % 8];
        how %= 3;
        if (how == 0) {
            try registry.revoke(subject, RevocationReason.CertificateInvalid) {
                ++revocations;
            } catch {}
        } else if (how == 1) {
            VM.prank(subject);
            try registry.revokeSelf() {
                ++revocations;
            } catch {}
        } else {
            bytes memory modulus = _modulus(keyOf[subject]);
            uint64 deadline = uint64(block.timestamp + 1 hours);
            bytes32 digest = registry.revokeDigest(subject, registry.nonces(subject), deadline);
            try registry.revokeByCard(subject, deadline, modulus, _cardSig(modulus, digest)) {
                ++revocations;
            } catch {}
        }
    }

    function warp(uint256 by) external {
        VM.warp(block.timestamp + (by % 200 days));
    }

    function heartbeat(uint256 attesterSeed) external {
        VM.prank(attesters[attesterSeed % 2]);
        try registry.recordCrlSync() {} catch {}
    }

    function toggleAnchor(bool enabled) external {
        registry.setTrustAnchorEnabled(1, enabled);
    }

    function setStaleness(uint256 seed) external {
        registry.setMaxStaleness(seed % 3 == 0 ? 0 : uint64(seed % 30 days));
    }

    function toggleAttester(uint256 attesterSeed, bool grant) external {
        address a = attesters[attesterSeed % 2];
        if (grant) registry.grantRole(registry.ATTESTER_ROLE(), a);
        else registry.revokeRole(registry.ATTESTER_ROLE(), a);
    }

    function subjectAt(uint256 i) external view returns (address) {
        return subjects[i];
    }

    function modulusOf(uint256 keyIndex) external pure returns (bytes memory) {
        return _modulus(keyIndex);
    }
}

/// @notice Invariants: no two active attestations share a key nullifier or an (attester, personTag).
contract KycRegistryInvariantTest {
    RegistryHandler internal handler;
    KycRegistryHarness internal registry;

    function setUp() public {
        handler = new RegistryHandler();
        registry = handler.registry();
    }

    function targetContracts() public view returns (address[] memory targets) {
        targets = new address[](1);
        targets[0] = address(handler);
    }

    /// hardhat-config: invariant.runs = 48
    /// hardhat-config: invariant.depth = 40
    function invariant_noTwoActiveAttestationsShareAKey() public view {
        for (uint256 k = 0; k < 12; ++k) {
            bytes32 nullifier = keccak256(handler.modulusOf(k));
            uint256 holders = 0;
            for (uint256 i = 0; i < 8; ++i) {
                address s = handler.subjectAt(i);
                AttestationView memory v = registry.attestationOf(s);
                bool live = v.status == KycStatus.Active && v.expiresAt > block.timestamp;
                if (live && registry.isCurrentKey(s, nullifier)) ++holders;
            }
            require(holders <= 1, "two active attestations share a key nullifier");
            address owner = registry.keyNullifierOwner(nullifier);
            if (holders == 1) require(owner != address(0), "active key without owner");
        }
    }

    /// @dev Only the bound key re-attests a live record, and every successful attest consumes the holder nonce.
    /// hardhat-config: invariant.runs = 48
    /// hardhat-config: invariant.depth = 40
    function invariant_liveRecordKeepsItsKeyAndNonceMoves() public view {
        require(handler.keyChangedWhileLive() == 0, "a live record was re-attested with another key");
        require(handler.nonceNotConsumed() == 0, "an attest did not consume the holder nonce");
    }

    /// hardhat-config: invariant.runs = 48
    /// hardhat-config: invariant.depth = 40
    function invariant_noTwoActiveAttestationsShareAPersonTag() public view {
        for (uint256 i = 0; i < 8; ++i) {
            AttestationView memory a = registry.attestationOf(handler.subjectAt(i));
            if (!(a.status == KycStatus.Active && a.expiresAt > block.timestamp) || a.personTag == bytes32(0)) continue;
            for (uint256 j = i + 1; j < 8; ++j) {
                AttestationView memory b = registry.attestationOf(handler.subjectAt(j));
                if (!(b.status == KycStatus.Active && b.expiresAt > block.timestamp)) continue;
                require(
                    !(a.attester == b.attester && a.personTag == b.personTag),
                    "two active attestations share (attester, personTag)"
                );
            }
        }
    }

    /// @dev The assembly fast path of isVerified and hasClaims agrees with kycStatus in every state.
    /// hardhat-config: invariant.runs = 48
    /// hardhat-config: invariant.depth = 40
    function invariant_readsAgree() public view {
        for (uint256 i = 0; i < 8; ++i) {
            address s = handler.subjectAt(i);
            (KycStatus status, uint32 claims, ) = registry.kycStatus(s);
            bool active = status == KycStatus.Active;
            require(registry.isVerified(s) == active, "isVerified disagrees with kycStatus");
            require(registry.hasClaims(s, 1) == active, "hasClaims(AUTH) disagrees with kycStatus");
            require(registry.hasClaims(s, claims | 1) == active, "hasClaims(own claims) disagrees");
            require(!registry.hasClaims(s, claims | 0x80000000) || claims & 0x80000000 != 0, "claims invented");
        }
    }

    /// hardhat-config: invariant.runs = 48
    /// hardhat-config: invariant.depth = 40
    function invariant_activeRecordsAreOnTheGridAndBounded() public view {
        for (uint256 i = 0; i < 8; ++i) {
            AttestationView memory a = registry.attestationOf(handler.subjectAt(i));
            if (a.status == KycStatus.None) continue;
            require(a.expiresAt % 30 days == 0, "expiry off the grid");
            require(a.expiresAt <= a.attestedAt + registry.maxAge(), "expiry beyond maxAge");
        }
    }
}

/// @notice Stateless fuzz tests of the attestation rules.
contract KycRegistryFuzzTest is RegistryWorld {
    function setUp() public {
        _setUpWorld();
    }

    /// @dev expiresAt = floor30d(min(now + maxAge, cap)); an off-grid cap or a past expiry is rejected.
    function testFuzz_expiryRounding(uint64 cap, uint32 later) public {
        VM.warp(block.timestamp + later);
        AttestationRequest memory req = _request(subjects[0], AUTH, bytes32(0));
        req.expiryCap = cap;
        bool ok = _tryAttest(attesters[0], req, 0);
        uint256 bound = block.timestamp + registry.maxAge();
        uint256 expected = cap < bound ? cap : bound;
        expected -= expected % 30 days;
        bool shouldPass = cap % 30 days == 0 && expected > block.timestamp;
        require(ok == shouldPass, "acceptance differs from the rule");
        if (ok) {
            (, , uint64 expiresAt) = registry.kycStatus(subjects[0]);
            require(expiresAt == expected, "wrong expiry");
        }
    }

    /// @dev Published claims must contain AUTH and be a subset of the disclose mask; IDENTITY iff a tag.
    function testFuzz_claimsWithinDisclose(uint32 disclose, uint32 claims, bool withTag) public {
        AttestationRequest memory req = _request(subjects[1], claims, withTag ? bytes32(uint256(7)) : bytes32(0));
        req.disclose = disclose;
        bool ok = _tryAttest(attesters[1], req, 1);
        bool shouldPass = claims & AUTH != 0 && claims & ~disclose == 0 && ((claims & IDENTITY != 0) == withTag);
        require(ok == shouldPass, "claims rule violated");
        if (ok) require(registry.hasClaims(subjects[1], claims), "claims not published");
    }

    /// @dev A key binds one subject only, whatever the order of attempts; on its own subject's active record it
    /// re-attests (the record moves to the second attester).
    function testFuzz_keyBindsOneSubject(uint8 a, uint8 b, uint8 key) public {
        address sa = subjects[a % 8];
        address sb = subjects[b % 8];
        uint256 k = key % KEYS;
        bool first = _tryAttest(attesters[0], _request(sa, AUTH, bytes32(0)), k);
        require(first, "first binding failed");
        bool second = _tryAttest(attesters[1], _request(sb, AUTH | IDENTITY, bytes32(uint256(9))), k);
        require(second == (sa == sb), "a key bound twice, or its own re-attestation refused");
        require(registry.keyNullifierOwner(keccak256(_modulus(k))) == sa, "owner changed");
        if (second) {
            AttestationView memory v = registry.attestationOf(sa);
            require(v.attester == attesters[1] && v.claims == AUTH | IDENTITY, "record not replaced");
            require(registry.nonces(sa) == 2, "nonce not consumed");
        }
    }

    /// @dev An active record takes no other key, and its own key re-attests it, whichever attester asks.
    function testFuzz_activeRecordTakesOnlyItsKey(uint8 s, uint8 key, uint8 other, uint32 later) public {
        address subject = subjects[s % 8];
        uint256 k = key % KEYS;
        uint256 k2 = (k + 1 + (other % (KEYS - 1))) % KEYS;
        require(_tryAttest(attesters[0], _request(subject, AUTH, bytes32(0)), k), "attest failed");
        VM.warp(block.timestamp + (later % 300 days));
        require(!_tryAttest(attesters[1], _request(subject, AUTH, bytes32(0)), k2), "another key replaced the record");
        require(_tryAttest(attesters[1], _request(subject, AUTH, bytes32(0)), k), "own key refused");
        require(registry.isCurrentKey(subject, keccak256(_modulus(k))), "key changed");
    }

    /// @dev Revocation burns the key for good; a new key re-attests the subject.
    function testFuzz_revokedKeyStaysBurned(uint8 s, uint8 key, uint32 later) public {
        address subject = subjects[s % 8];
        uint256 k = key % KEYS;
        require(_tryAttest(attesters[0], _request(subject, AUTH, bytes32(0)), k), "attest failed");
        registry.revoke(subject, RevocationReason.Operator);
        VM.warp(block.timestamp + later);
        require(!_tryAttest(attesters[0], _request(subject, AUTH, bytes32(0)), k), "revoked key attested again");
        require(_tryAttest(attesters[0], _request(subject, AUTH, bytes32(0)), (k + 1) % KEYS), "new key refused");
    }
}
