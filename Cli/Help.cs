namespace RocketNet.Cli;

/// <summary>The <c>--help</c> text of each command.</summary>
public static class Help
{
    /// <summary>Help for <paramref name="command"/>, or the list of commands if it is unknown.</summary>
    public static string For(string command) => command switch
    {
        "launch" =>
            "rocketnet launch [--seeds 7] [--epochs 40] [--batch-size 32] [--lr 0.02] [--lambda 0.01] [--threads N]\n" +
            "  Trains on the embedded 8x8 digits, for each seed, the light net alone (base), the light net inside\n" +
            "  Rocket Launching (rocket) and the booster alone, and prints parameters, multiplications and\n" +
            "  inference time per sample, and test accuracy (median and range over seeds).\n" +
            "rocketnet launch --data FILE.csv --target COLUMN | --data FOLDER  [--seeds 5] " +
            "[--out light.safetensors]\n" +
            "  [--epochs, --batch-size, --lr: the own-data defaults, as train uses them] [--lambda 0.03] " +
            "[--validation 0.2]\n" +
            "  [--embedding-dim 8] [--booster-hidden 256x128] [--light-hidden 32|none] [--test FILE]\n" +
            "  [--categorical a,b] [--numeric c] [--ignore id] [--test-fraction 0.2] [--min-category-count 2] " +
            "(table options as for train)\n" +
            "  Your decision tool on your own table or image folder (an MLP pair on the pixels: --shared 64 " +
            "--booster-hidden 512).\n" +
            "  On a validation split of the training part it trains, per seed, the light net alone, the booster " +
            "alone,\n" +
            "  rocket at λ 0, 0.003, 0.01 and --lambda, rocket with the probability-MSE and KD hints, and KD from " +
            "the booster;\n" +
            "  prints each one's cost, validation accuracy (AUC for two classes) and paired gain over the light " +
            "net alone, and\n" +
            "  names the one to ship: the light net alone unless a candidate beats it beyond the noise between " +
            "seeds (simultaneous\n" +
            "  95 % intervals). --out trains that choice on the whole training part and exports its light net. " +
            "The test part\n" +
            "  (--test FILE, else --test-fraction of --data) is left unread, for a final test of the chosen net.",
        "train" =>
            "rocketnet train [options]\n" +
            "  data:      --data digits|fashion-mnist|cifar10|ticdata|criteo|avazu|synthetic-clicks  --path " +
            "FILE_OR_DIR  --limit N\n" +
            "             --train-limit N  --augment  --impressions 2000000  --data-seed 1 (synthetic-clicks; the " +
            "split seed of a table)\n" +
            "  table:     --data FILE.csv|.tsv[.gz] --target COLUMN  --categorical a,b  --numeric c  " +
            "--ignore id  --test FILE\n" +
            "             --test-fraction 0.2  --min-category-count 2 (default model: table towers, " +
            "booster 256x128, light 32)\n" +
            "  images:    --data FOLDER (one sub-folder per class, or train/ and test/)  " +
            "--image-size N  --skip-bad-images\n" +
            "  clicks:    --data criteo|avazu --path FILE,FILE…|FOLDER  " +
            "--shuffle-buffer N (stream in constant memory)  --test-path FILE\n" +
            "             --test-rows N (else the last file is the test part)  --hash-buckets 10000  --min-count K\n" +
            "  model:     --arch mlp|wrn|ctr|\"<description>\"  --sharing interval|bottom|none  --booster-depth 40\n" +
            "             --light-depth 16  --widen 1  --shared 64  --booster-hidden 512  --light-hidden \"\"  " +
            "--embedding-dim 8  --embedding-std 0.01\n" +
            "             --booster-bn on|off (batch norm in the CTR booster tower)\n" +
            "  method:    --method base|booster|kd|rocket|rocket-kd|no-joint|at  --teacher BOOSTER_CHECKPOINT (kd, " +
            "rocket-kd, no-joint, at)\n" +
            "  loss:      --hint logit-mse|prob-mse|kd  --lambda 0.03  --grad-block on|off  --temperature 4  " +
            "--alpha 0.9  --at-beta 1000\n" +
            "             --shared-grad both|booster  --feature-hint none|cosine|l2  --feature-lambda 1 (rocket, " +
            "rocket-kd; mlp and ctr)\n" +
            "  optimiser: --epochs 10  --batch-size 128  --lr 0.1  --schedule multistep|cosine|constant\n" +
            "             --optimizer sgd|adam|adamw|lazy-adam  --momentum 0.9  --weight-decay 5e-4\n" +
            "  lazy-adam: Adam that leaves the embedding rows a batch did not use alone (no update, no decay).\n" +
            "  run:       --seed 1  --threads N  --checkpoint-dir DIR  --resume  --stop-after EPOCH  --eval-every 1\n" +
            "             --validation FRACTION (hold out part of the training data; epochs are " +
            "evaluated on it and the\n" +
            "             test part is read once, after the last epoch, into DIR/test.csv)  --validation-seed 0\n" +
            "             --final-test on|off (off: never read the test part, for model-selection pilots)\n" +
            "             --early-stop N (with --validation: end after N evaluated epochs without a better " +
            "validation metric)\n" +
            "             --divergence-factor 1000 (stop, rc 1, when an epoch's loss passes this many times " +
            "the lowest epoch loss)\n" +
            "             --winograd on|off (off: every convolution on the direct kernels)\n" +
            "  --shared-grad booster: the light net reads the shared layers detached (only " +
            "the booster trains them);\n" +
            "  --feature-hint: each light hidden layer is pulled toward the next booster hidden " +
            "layer of the same width.\n" +
            "  --sharing none with --arch mlp gives each net its own copy of the --shared layers " +
            "(the no-sharing ablation).\n" +
            "  --limit caps both parts, --train-limit only the training part; --eval-every K tests after every " +
            "K-th and the last epoch.\n" +
            "  synthetic-clicks: a seeded click log (100,000 users, 5,000 ads, 18 fields, CTR " +
            "~4%, GAUC per user) of\n" +
            "  --impressions training rows and a later test part a quarter that size; use --arch ctr.\n" +
            "  Writes DIR/last.safetensors (every epoch, atomically, with optimiser state), " +
            "DIR/log.csv and DIR/curve.svg;\n" +
            "  log.csv's epoch column counts from 0 (row 0 is the console's 'epoch 1/N'; scripts read it " +
            "that way);\n" +
            "  with --validation also DIR/best.safetensors, the epoch with the best validation metric of the light " +
            "net (booster:\n" +
            "  the booster's; GAUC with group ids, AUC for two classes, accuracy otherwise). test.csv is the last " +
            "epoch's test;\n" +
            "  best.safetensors records its own. A blown-up loss or a collapsed net (constant output) stops the " +
            "run, rc 1,\n" +
            "  before that epoch is saved.",
        "eval" =>
            "rocketnet eval --checkpoint FILE [--data digits|fashion-mnist|cifar10|ticdata|criteo|synthetic-clicks] " +
            "[--path P] [--limit N]\n" +
            "               [--impressions N --data-seed S] [--threads N] [--timing]\n" +
            "  Test accuracy and loss (AUC and GAUC for CTR data) of both nets of a pair checkpoint, or of " +
            "an exported light net.\n" +
            "  --data defaults to the data the checkpoint was trained on (digits if it does not record one).\n" +
            "  For synthetic-clicks --impressions and --data-seed default to the checkpoint's, " +
            "regenerating its test part.\n" +
            "  --timing adds each net's parameters, FC multiplications and µs per single-sample request (median and\n" +
            "  90th percentile over up to 32 test samples spread across the test part).",
        "export" =>
            "rocketnet export --checkpoint FILE|RUN_DIR [--which best|last] --out FILE [--format safetensors|onnx]\n" +
            "  Writes the light net of a pair checkpoint alone (booster-only parameters dropped), for Predictor,\n" +
            "  or as an ONNX model (opset 17, dynamic batch) for other runtimes. Given a train --checkpoint-dir, " +
            "it takes\n" +
            "  best.safetensors (last.safetensors when the run had no --validation, or with --which last) and " +
            "prints the epoch.",
        "predict" =>
            "rocketnet predict --model FILE --input FILE.csv|.tsv[.gz]|IMAGE|FOLDER --output SCORES.csv " +
            "[--id COLUMN] [--net light|booster] [--threads 1]\n" +
            "  Scores a table (or one image, or every image under a folder) with a model trained on a table (or " +
            "an image folder), through\n" +
            "  the preprocessing saved in it: one row per input row or image (line number, --id or " +
            "file; predicted class;\n" +
            "  a probability per class). With labels (the target column, or images in folders named like a " +
            "class) it prints\n" +
            "  the accuracy, precision and recall per class and the confusion matrix (rows: true class, columns: " +
            "predicted);\n" +
            "  it warns when an image folder is, is inside, or holds the folder the model was trained on.\n" +
            "  A model trained on a streamed click log scores click-log rows (--input FILE,FILE…|FOLDER in its " +
            "layout),\n" +
            "  mapping ids rare in its training rows as training did (--min-count).\n" +
            "  --net booster scores with the booster of a pair checkpoint (an exported light net has none).",
        "clicklog" =>
            "rocketnet clicklog --rows N --out FILE[.gz] [--users 100000] [--ads 5000] [--data-seed 1]\n" +
            "  Writes N impressions of the synthetic click model as a Criteo-format click log (label, I1 position, " +
            "I2 hour,\n" +
            "  C1..C18 the 18 synthetic fields as hex values), later rows later in time, for train --data criteo.",
        _ => $"unknown command '{command}' (commands: launch, train, eval, export, predict, clicklog)",
    };
}
