namespace Tally.Billing.Rating;

/// <summary>
/// The live bill of a customer: its current billing period rated so far (OpenMeter's gathering
/// invoice), kept by the rating stage as usage arrives. Null when the customer has no subscription in force in it.
/// </summary>
public interface ILiveBills
{
    Task<RatedPeriod?> CurrentAsync(string tenantId, string customerId, CancellationToken cancellationToken);
}
