// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IKycRegistry, KycStatus} from "../interfaces/IKycRegistry.sol";
import {IERC3643IdentityRegistry} from "./interfaces/IERC3643IdentityRegistry.sol";

/// @title KycIdentityRegistryAdapter — an ERC-3643 (T-REX) Identity Registry that answers from a KYC registry
/// @notice Set it as a T-REX token's identity registry (`Token.init` or `setIdentityRegistry`). A wallet is verified
/// when the KYC registry reports it `Active` with every bit of `requiredClaims` (fixed per adapter, so one adapter per
/// claim policy). Revocation, expiry, a stale operator or a disabled trust anchor in the KYC registry take effect on
/// the token's next check; nothing is cached here. Holders are registered by attestation in the KYC registry, so
/// every write an ERC-3643 agent would send reverts with `AttestationsComeFromKycRegistry`.
/// @dev Reads only `IKycRegistry`. `identity(wallet)` is the wallet itself while the KYC registry holds a record for
/// it (there is no ONCHAINID contract): compliance modules that key balances by identity count per wallet.
contract KycIdentityRegistryAdapter is IERC3643IdentityRegistry {
    /// @notice ISO 3166-1 numeric code of Japan: every JPKI holder is reported with it.
    uint16 public constant JAPAN = 392;

    /// @notice The KYC registry every answer comes from.
    // solhint-disable-next-line immutable-vars-naming
    IKycRegistry public immutable kycRegistry;
    /// @notice The claim bits a wallet must hold to be verified (0: any active attestation).
    // solhint-disable-next-line immutable-vars-naming
    uint32 public immutable requiredClaims;

    /// @notice Identities are attested in the KYC registry `kycRegistry`, not registered through this adapter.
    error AttestationsComeFromKycRegistry(address kycRegistry);
    /// @notice The KYC registry address is zero.
    error ZeroRegistry();

    /// @param registry the KYC registry to answer from
    /// @param claims the claim bits a wallet must hold (e.g. IDENTITY = 2 for a security token)
    constructor(IKycRegistry registry, uint32 claims) {
        if (address(registry) == address(0)) revert ZeroRegistry();
        kycRegistry = registry;
        requiredClaims = claims;
    }

    /// @inheritdoc IERC3643IdentityRegistry
    function isVerified(address userAddress) external view returns (bool) {
        uint32 claims = requiredClaims;
        return claims == 0 ? kycRegistry.isVerified(userAddress) : kycRegistry.hasClaims(userAddress, claims);
    }

    /// @inheritdoc IERC3643IdentityRegistry
    /// @dev True while the KYC registry holds a record for the wallet, whatever its status (as a T-REX registry
    /// keeps an identity whose claims lapsed).
    function contains(address userAddress) public view returns (bool) {
        (KycStatus status, , ) = kycRegistry.kycStatus(userAddress);
        return status != KycStatus.None;
    }

    /// @inheritdoc IERC3643IdentityRegistry
    /// @dev The wallet itself while `contains`, else zero.
    function identity(address userAddress) external view returns (address) {
        return contains(userAddress) ? userAddress : address(0);
    }

    /// @inheritdoc IERC3643IdentityRegistry
    /// @dev `JAPAN` (392) while `contains`, else zero.
    function investorCountry(address userAddress) external view returns (uint16) {
        return contains(userAddress) ? JAPAN : 0;
    }

    /// @inheritdoc IERC3643IdentityRegistry
    /// @dev Zero: there is no identity storage; the KYC registry is the source.
    function identityStorage() external pure returns (address) {
        return address(0);
    }

    /// @inheritdoc IERC3643IdentityRegistry
    /// @dev Zero: issuers are the KYC registry's attesters, managed there.
    function issuersRegistry() external pure returns (address) {
        return address(0);
    }

    /// @inheritdoc IERC3643IdentityRegistry
    /// @dev Zero: the required claims are `requiredClaims`, fixed at deployment.
    function topicsRegistry() external pure returns (address) {
        return address(0);
    }

    /// @inheritdoc IERC3643IdentityRegistry
    function registerIdentity(address, address, uint16) external view {
        _refuseWrite();
    }

    /// @inheritdoc IERC3643IdentityRegistry
    function deleteIdentity(address) external view {
        _refuseWrite();
    }

    /// @inheritdoc IERC3643IdentityRegistry
    function setIdentityRegistryStorage(address) external view {
        _refuseWrite();
    }

    /// @inheritdoc IERC3643IdentityRegistry
    function setClaimTopicsRegistry(address) external view {
        _refuseWrite();
    }

    /// @inheritdoc IERC3643IdentityRegistry
    function setTrustedIssuersRegistry(address) external view {
        _refuseWrite();
    }

    /// @inheritdoc IERC3643IdentityRegistry
    function updateCountry(address, uint16) external view {
        _refuseWrite();
    }

    /// @inheritdoc IERC3643IdentityRegistry
    function updateIdentity(address, address) external view {
        _refuseWrite();
    }

    /// @inheritdoc IERC3643IdentityRegistry
    function batchRegisterIdentity(address[] calldata, address[] calldata, uint16[] calldata) external view {
        _refuseWrite();
    }

    /// @notice Whether `account` is an agent of this registry (T-REX `AgentRole`): never, since no account may
    /// register, update or delete identities here.
    function isAgent(address) external pure returns (bool) {
        return false;
    }

    /// @notice T-REX `AgentRole.addAgent`: refused, there are no agents.
    function addAgent(address) external view {
        _refuseWrite();
    }

    /// @notice T-REX `AgentRole.removeAgent`: refused, there are no agents.
    function removeAgent(address) external view {
        _refuseWrite();
    }

    function _refuseWrite() private view {
        revert AttestationsComeFromKycRegistry(address(kycRegistry));
    }
}
