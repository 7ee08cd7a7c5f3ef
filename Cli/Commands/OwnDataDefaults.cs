namespace RocketNet.Cli.Commands;

/// <summary>
/// The training settings for a user's own table or image folder, used by bare <c>train --data FILE|FOLDER</c> and by
/// <c>launch --data</c> alike, so the net a user trains is the one <c>launch</c> evaluated. Chosen on validation
/// splits of the own-data suite (experiments/own-data/, RESULTS.md "Own data"): Adam on a cosine schedule, small
/// batches because own tables are small (a few hundred rows give a handful of steps per epoch at batch 256), and
/// enough epochs for those steps to add up. The CIFAR-style defaults (SGD 0.1, multi-step) stay for the built-in
/// image sets; on small or imbalanced tables they diverged.
/// </summary>
/// <param name="Optimizer">Optimizer name, as <c>--optimizer</c> takes it.</param>
/// <param name="Schedule">Schedule name, as <c>--schedule</c> takes it.</param>
/// <param name="LearningRate">Initial learning rate.</param>
/// <param name="Epochs">Epochs.</param>
/// <param name="BatchSize">Batch size (capped at the training part's size).</param>
/// <param name="WeightDecay">L2 weight decay (none: Adam's coupled decay fights its per-weight step sizes).</param>
/// <param name="Validation">Share of the training part held out to choose the best epoch (0: none, the last epoch
/// ships). Tables hold out 20 %: on the suite's validation curves a table's light net peaks early and then
/// overfits (ticdata's validation AUC 0.750 at epoch 1, 0.683 at epoch 60; pima 0.872 at epoch 13, 0.860 at 60),
/// while a table that needs every epoch (vowel) still gets them.</param>
public sealed record OwnDataDefaults(string Optimizer, string Schedule, double LearningRate, int Epochs,
    int BatchSize, double WeightDecay, double Validation)
{
    /// <summary>Defaults for a table file.</summary>
    public static readonly OwnDataDefaults Table = new("adam", "cosine", 0.01, 60, 32, 0, 0.2);

    /// <summary>Defaults for an image folder (an MLP pair on the pixels; the last epoch ships, as before: the
    /// best-epoch rule was measured on tables only).</summary>
    public static readonly OwnDataDefaults Images = new("adam", "cosine", 0.001, 30, 64, 0, 0);

    /// <summary>The defaults for an image folder (<paramref name="images"/>) or a table file.</summary>
    public static OwnDataDefaults For(bool images) => images ? Images : Table;
}
