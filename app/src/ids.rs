//! Typed ids over UUIDs, made by one macro so a `ProductId` can never be passed as a `VariantId`.

macro_rules! typed_id {
    ($($name:ident),+ $(,)?) => {$(
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[derive(serde::Serialize, serde::Deserialize)]
        #[serde(transparent)]
        #[cfg_attr(feature = "ssr", derive(sqlx::Type), sqlx(transparent))]
        pub struct $name(pub uuid::Uuid);

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }

        impl From<uuid::Uuid> for $name {
            fn from(id: uuid::Uuid) -> Self {
                Self(id)
            }
        }
    )+};
}

typed_id!(
    CategoryId,
    ProductId,
    VariantId,
    LotId,
    UserId,
    LoginId,
    PasskeyId,
    OrganisationId,
    InvitationId,
    EmailId,
    CartId,
    OrderId,
    RefundId,
    SubscriptionId,
    PostingId,
    ApplicationId,
    ContractId,
    ContractEventId,
    TimesheetId,
    CertificateId,
    MessageId,
    NotificationId,
    LedgerTransactionId,
    EscrowChargeId,
    EscrowRefundId,
    EscrowPayoutId,
    DisputeId,
    ReviewId,
);
