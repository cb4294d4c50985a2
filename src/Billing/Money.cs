namespace Tally.Billing;

/// <summary>
/// An amount in a currency. Arithmetic keeps full decimal precision; <see cref="Rounded"/> is the one
/// place where an amount is rounded to the currency's minor units (banker's rounding is not used:
/// invoices round half away from zero, as Stripe and most tax authorities expect).
/// </summary>
public readonly record struct Money(decimal Amount, Currency Currency)
{
    public static Money Zero(Currency currency) => new(0m, currency);

    /// <summary>
    /// The amount rounded to the currency's minor units, half away from zero, and written with exactly
    /// that many decimals (110.5 USD is 110.50): the one place Tally rounds money.
    /// </summary>
    public Money Rounded() =>
        this with { Amount = Math.Round(Amount, Currency.MinorUnits, MidpointRounding.AwayFromZero) + new decimal(0, 0, 0, false, (byte)Currency.MinorUnits) };

    /// <summary>The rounded amount in minor units (cents for USD), as payment processors expect.</summary>
    public long ToMinorUnits()
    {
        var rounded = Rounded().Amount;
        var factor = 1m;
        for (var i = 0; i < Currency.MinorUnits; i++)
        {
            factor *= 10m;
        }

        return decimal.ToInt64(rounded * factor);
    }

    public static Money operator +(Money left, Money right)
    {
        EnsureSameCurrency(left, right);
        return new Money(left.Amount + right.Amount, left.Currency);
    }

    public static Money operator *(Money price, decimal quantity) => new(price.Amount * quantity, price.Currency);

    private static void EnsureSameCurrency(Money left, Money right)
    {
        if (left.Currency != right.Currency)
        {
            throw new InvalidOperationException($"Cannot add {left.Currency} to {right.Currency}.");
        }
    }

    public override string ToString() => $"{Amount.ToString(System.Globalization.CultureInfo.InvariantCulture)} {Currency.Code}";
}
