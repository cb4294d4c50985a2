namespace Tally.Billing.Payments;

/// <summary>
/// The tenant's payment processor (Stripe): pushes documents exactly once and voids them. Every
/// method is safe to call again with the same arguments, after a crash at any point, at any later
/// time: what already exists in the processor is found and reused, never created twice.
/// Failures are either <see cref="PaymentProcessorUnavailableException"/> (retry with backoff) or
/// <see cref="PaymentProcessorRejectedException"/> (retrying the same call cannot help: park it).
/// </summary>
public interface IPaymentProcessor
{
    /// <summary>Whether the tenant has installed a processor app; without one, documents stay in the ledger.</summary>
    Task<bool> IsConnectedAsync(string tenantId, CancellationToken cancellationToken);

    /// <summary>
    /// Creates the document in the processor (for an invoice: the customer unless linked or known, one
    /// item per line, the invoice, then finalizes it; for a credit note: the credit note against the
    /// credited invoice) and returns the processor's ids.
    /// </summary>
    Task<PaymentReceipt> PushAsync(PaymentDocument document, CancellationToken cancellationToken);

    /// <summary>
    /// Compensation: voids the processor's invoice for the customer's standard document
    /// <paramref name="documentKey"/> (a draft that was never finalized is deleted instead).
    /// </summary>
    Task<VoidOutcome> VoidAsync(string tenantId, string customerId, string documentKey, CancellationToken cancellationToken);
}

/// <summary>The processor's ids of a pushed document: the invoice (or credit note) and the customer.</summary>
public sealed record PaymentReceipt(string ExternalId, string ExternalCustomerId);

/// <summary>What <see cref="IPaymentProcessor.VoidAsync"/> did.</summary>
public enum VoidOutcome
{
    /// <summary>The document never reached the processor; nothing to undo there.</summary>
    NotInProcessor,

    /// <summary>The finalized invoice is now void.</summary>
    Voided,

    /// <summary>The invoice was still a draft (never finalized) and was deleted.</summary>
    DraftDeleted,

    /// <summary>It had been voided (or deleted) before; nothing changed.</summary>
    AlreadyVoided,
}
