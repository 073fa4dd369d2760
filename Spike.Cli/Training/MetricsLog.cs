using System.Globalization;

namespace Spike.Cli.Training;

/// <summary>One epoch's results, printed in the tutorial scripts' format and appended to metrics.csv.</summary>
public sealed record EpochMetrics(int Epoch, double TrainLoss, double TrainAcc, double TestLoss, double TestAcc, double MaxTestAcc, double TotalTime)
{
    public const string CsvHeader = "epoch,train_loss,train_acc,test_loss,test_acc,max_test_acc,total_time";

    /// <summary>The scripts' line, numbers printed as Python prints floats: epoch=0, train_loss=0.028124165828697957, ….</summary>
    public override string ToString() =>
        $"epoch={Epoch}, train_loss={Py(TrainLoss)}, train_acc={Py(TrainAcc)}, test_loss={Py(TestLoss)}, test_acc={Py(TestAcc)}, max_test_acc={Py(MaxTestAcc)}, total_time={Py(TotalTime)}";

    static string Py(double v) => TrainOptions.PyFloat(v);

    public string ToCsv() => string.Create(CultureInfo.InvariantCulture,
        $"{Epoch},{TrainLoss:R},{TrainAcc:R},{TestLoss:R},{TestAcc:R},{MaxTestAcc:R},{TotalTime:R}");

    public static EpochMetrics Parse(string line)
    {
        var f = line.Split(',').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        return new EpochMetrics((int)f[0], f[1], f[2], f[3], f[4], f[5], f[6]);
    }

    /// <summary>Appends to metrics.csv, keeping only rows of epochs before this one (a resumed run rewrites
    /// the epochs it repeats), so the file always describes one uninterrupted history.</summary>
    public static void Append(string path, EpochMetrics m)
    {
        var rows = File.Exists(path)
            ? File.ReadAllLines(path).Skip(1).Where(l => l.Length > 0 && Parse(l).Epoch < m.Epoch).ToList()
            : [];
        rows.Add(m.ToCsv());
        Spike.Nn.AtomicFile.Write(path, s =>
        {
            using var w = new StreamWriter(s, leaveOpen: true);
            w.WriteLine(CsvHeader);
            foreach (var r in rows) w.WriteLine(r);
        });
    }
}
