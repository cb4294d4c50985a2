namespace Tally.Billing;

/// <summary>One invalid input: the field's path as the client wrote it (e.g. <c>[2].subject</c>) and how to fix it.</summary>
public sealed record FieldError(string Field, string Message);
