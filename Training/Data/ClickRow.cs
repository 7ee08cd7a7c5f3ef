namespace RocketNet.Training.Data;

/// <summary>One encoded click-log row: the click label and the layout's field ids.</summary>
/// <param name="Label">0 (no click) or 1 (click).</param>
/// <param name="FieldIds">One id per field; field f's id lies in [0, the layout's vocabulary size of f).</param>
/// <param name="Line">1-based line of the row in its file.</param>
public readonly record struct ClickRow(int Label, int[] FieldIds, long Line);
