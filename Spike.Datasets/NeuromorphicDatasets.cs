using Spike.Datasets.Formats;

namespace Spike.Datasets;

/// <summary>N-MNIST (34×34, 10 classes): Train.zip and Test.zip → Train|Test/&lt;digit&gt;/*.bin.</summary>
public sealed class NMnist(string root, bool train, FrameOptions? frames = null, DatasetOptions? options = null)
    : NeuromorphicDataset(Info, root, train, frames, options)
{
    private const string Url = "https://www.garrickorchard.com/datasets/n-mnist";
    public static readonly NeuromorphicSpec Info = new("N-MNIST", 34, 34, 10, true, false,
        [new("Train.zip", Url, "20959b8e626244a1b502305a9e6e2031"), new("Test.zip", Url, "69ca8762b2fe404d9b9bad1103e97832")],
        (d, e) => ExtractAll(d, e, [new("Train.zip", Url, null), new("Test.zip", Url, null)]),
        e => ClassFolders(Path.Combine(e, "Train"), "*.bin", "train", f => AtisBin.Read(f, 34, 34))
            .Concat(ClassFolders(Path.Combine(e, "Test"), "*.bin", "test", f => AtisBin.Read(f, 34, 34))));
}

/// <summary>N-Caltech101 (180×240, 101 classes), no official split: Caltech101.zip → Caltech101/&lt;class&gt;/*.bin.</summary>
public sealed class NCaltech101(string root, FrameOptions? frames = null, DatasetOptions? options = null)
    : NeuromorphicDataset(Info, root, null, frames, options)
{
    private const string Url = "https://www.garrickorchard.com/datasets/n-caltech101";
    public static readonly NeuromorphicSpec Info = new("N-Caltech101", 180, 240, 101, false, false,
        [new("Caltech101.zip", Url, "66201824eabb0239c7ab992480b50ba3")],
        (d, e) => ExtractAll(d, e, [new("Caltech101.zip", Url, null)]),
        e => ClassFolders(Path.Combine(e, "Caltech101"), "*.bin", "", f => AtisBin.Read(f, 240, 180)));
}

/// <summary>
/// CIFAR10-DVS (128×128, 10 classes), no official split: &lt;class&gt;.zip → &lt;class&gt;/*.aedat. The only
/// neuromorphic dataset here that can be downloaded (figshare), with <see cref="DatasetOptions.Download"/>.
/// </summary>
public sealed class Cifar10Dvs(string root, FrameOptions? frames = null, DatasetOptions? options = null)
    : NeuromorphicDataset(Info, root, null, frames, options)
{
    private static readonly (string Name, string Url, string Md5)[] Files =
    [
        ("airplane.zip", "https://ndownloader.figshare.com/files/7712788", "0afd5c4bf9ae06af762a77b180354fdd"),
        ("automobile.zip", "https://ndownloader.figshare.com/files/7712791", "8438dfeba3bc970c94962d995b1b9bdd"),
        ("bird.zip", "https://ndownloader.figshare.com/files/7712794", "a9c207c91c55b9dc2002dc21c684d785"),
        ("cat.zip", "https://ndownloader.figshare.com/files/7712812", "52c63c677c2b15fa5146a8daf4d56687"),
        ("deer.zip", "https://ndownloader.figshare.com/files/7712815", "b6bf21f6c04d21ba4e23fc3e36c8a4a3"),
        ("dog.zip", "https://ndownloader.figshare.com/files/7712818", "f379ebdf6703d16e0a690782e62639c3"),
        ("frog.zip", "https://ndownloader.figshare.com/files/7712842", "cad6ed91214b1c7388a5f6ee56d08803"),
        ("horse.zip", "https://ndownloader.figshare.com/files/7712851", "e7cbbf77bec584ffbf913f00e682782a"),
        ("ship.zip", "https://ndownloader.figshare.com/files/7712836", "41c7bd7d6b251be82557c6cce9a7d5c9"),
        ("truck.zip", "https://ndownloader.figshare.com/files/7712839", "89f3922fd147d9aeff89e76a2b0b70a7"),
    ];
    public static readonly NeuromorphicSpec Info = new("CIFAR10-DVS", 128, 128, 10, false, true,
        Files.Select(f => new ResourceFile(f.Name, f.Url, f.Md5)).ToArray(),
        (d, e) => ExtractAll(d, e, Files.Select(f => new ResourceFile(f.Name, f.Url, null))),
        e => ClassFolders(e, "*.aedat", "", Aedat2.ReadCifar10Dvs));
}

/// <summary>ASL-DVS (180×240, 24 letters), no official split: ICCV2019_DVS_dataset.zip holds one zip per letter of *.mat files.</summary>
public sealed class AslDvs(string root, FrameOptions? frames = null, DatasetOptions? options = null)
    : NeuromorphicDataset(Info, root, null, frames, options)
{
    // The archive is repacked by Dropbox and its MD5 changes, so (as SpikingJelly) it is not checked.
    public static readonly NeuromorphicSpec Info = new("ASL-DVS", 180, 240, 24, false, false,
        [new("ICCV2019_DVS_dataset.zip", "https://www.dropbox.com/sh/ibq0jsicatn7l6r/AACNrNELV56rs1YInMWUs9CAa?dl=0", null)],
        (d, e) =>
        {
            var tmp = Path.Combine(d, "temp_ext");
            Archives.Extract(Path.Combine(d, "ICCV2019_DVS_dataset.zip"), tmp);
            foreach (var z in Directory.GetFiles(tmp, "*.zip", SearchOption.AllDirectories)) Archives.Extract(z, e);
            Directory.Delete(tmp, true);
        },
        e => ClassFolders(e, "*.mat", "", MatV5.ReadAslDvs));
}

/// <summary>
/// DVS128 Gesture (128×128, 11 classes): DvsGesture.tar.gz → DvsGesture/ with trials_to_train.txt, trials_to_test.txt,
/// user*.aedat and user*_labels.csv; each labels row becomes one sample <c>&lt;trial&gt;_&lt;k&gt;.npz</c> of class row − 1.
/// </summary>
public sealed class DvsGesture(string root, bool train, FrameOptions? frames = null, DatasetOptions? options = null)
    : NeuromorphicDataset(Info, root, train, frames, options)
{
    private const string Url = "https://ibm.ent.box.com/s/3hiq58ww1pbbjrinh367ykfdf60xsfm8/folder/50167556794";
    public static readonly NeuromorphicSpec Info = new("DVS128 Gesture", 128, 128, 11, true, false,
        [new("DvsGesture.tar.gz", Url, "8a5c71fb11e24e5ca5b11866ca6c00a1")],
        (d, e) => Archives.Extract(Path.Combine(d, "DvsGesture.tar.gz"), e),
        e => Trials(Path.Combine(e, "DvsGesture")));

    /// <summary>One recording per line of the trial lists, split into gestures by its labels csv.</summary>
    public static IEnumerable<Recording> Trials(string dir)
    {
        foreach (var (list, split) in new[] { ("trials_to_train.txt", "train"), ("trials_to_test.txt", "test") })
        {
            var listPath = Path.Combine(dir, list);
            if (!File.Exists(listPath)) throw new FileNotFoundException($"DVS128 Gesture: missing {listPath}", listPath);
            foreach (var line in File.ReadAllLines(listPath))
            {
                var name = line.Trim();
                if (name.Length == 0) continue;
                var aedat = Path.Combine(dir, name);
                var stem = Path.GetFileNameWithoutExtension(name);
                var csv = Path.Combine(dir, stem + "_labels.csv");
                yield return new Recording(aedat, () =>
                {
                    var parts = Aedat3.SplitByLabels(Aedat3.Read(aedat), Aedat3.ReadLabels(csv));
                    // Several rows may share a class (e.g. user26_fluorescent): number them per class, as SpikingJelly.
                    var perClass = new int[11];
                    return parts.Select(p => (Path.Combine(split, p.Label.ToString(), $"{stem}_{perClass[p.Label]++}.npz"), p.Events)).ToList();
                });
            }
        }
    }
}
