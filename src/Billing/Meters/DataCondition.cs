namespace Tally.Billing.Meters;

/// <summary>How a <see cref="DataCondition"/> compares the value at its path.</summary>
public enum DataOperator
{
    /// <summary>Equal to one value (compared as JSON text, e.g. <c>ok</c> or <c>42</c>).</summary>
    Eq,

    /// <summary>Not equal to one value; events without the property pass.</summary>
    Ne,

    /// <summary>Equal to one of the values.</summary>
    In,

    /// <summary>Equal to none of the values.</summary>
    Nin,

    /// <summary>The property is present (value <c>true</c>) or absent (<c>false</c>).</summary>
    Exists,

    /// <summary>Greater than a number.</summary>
    Gt,

    /// <summary>Greater than or equal to a number.</summary>
    Gte,

    /// <summary>Less than a number.</summary>
    Lt,

    /// <summary>Less than or equal to a number.</summary>
    Lte,
}

/// <summary>
/// One condition of a meter's data filter, e.g. <c>$.status</c> <c>$eq</c> <c>ok</c>. Values are the
/// JSON text of scalars (strings unquoted), the way OpenMeter's group-by filters compare them.
/// </summary>
public sealed record DataCondition(string Path, DataOperator Operator, IReadOnlyList<string> Values);
