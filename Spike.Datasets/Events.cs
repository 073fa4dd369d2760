namespace Spike.Datasets;

/// <summary>
/// An event-camera recording as struct-of-arrays: event i happened at time <c>T[i]</c> (microseconds unless
/// the format says otherwise) at pixel (<c>X[i]</c>, <c>Y[i]</c>) with polarity <c>P[i]</c> (0 = OFF, 1 = ON).
/// </summary>
public sealed class EventStream
{
    public long[] T { get; }
    public int[] X { get; }
    public int[] Y { get; }
    public byte[] P { get; }
    public int Count => T.Length;

    public EventStream(long[] t, int[] x, int[] y, byte[] p)
    {
        if (x.Length != t.Length || y.Length != t.Length || p.Length != t.Length)
            throw new ArgumentException($"EventStream: t, x, y, p lengths differ ({t.Length}, {x.Length}, {y.Length}, {p.Length})");
        T = t; X = x; Y = y; P = p;
    }

    public static EventStream Empty { get; } = new([], [], [], []);

    /// <summary>Events [start, start + length).</summary>
    public EventStream Slice(int start, int length) =>
        new(T.AsSpan(start, length).ToArray(), X.AsSpan(start, length).ToArray(), Y.AsSpan(start, length).ToArray(), P.AsSpan(start, length).ToArray());

    /// <summary>
    /// The events as Int64 <c>[N, 4]</c>, one row (t, x, y, p) per event: how a dataset serves event samples, so that
    /// <see cref="Sequences.PadSequenceCollate"/> batches recordings of different lengths.
    /// </summary>
    public Tensor ToTensor()
    {
        var rows = new long[4L * Count];
        for (int i = 0; i < Count; i++) { rows[4 * i] = T[i]; rows[4 * i + 1] = X[i]; rows[4 * i + 2] = Y[i]; rows[4 * i + 3] = P[i]; }
        return Tensor.FromArray(rows, Count, 4);
    }

    /// <summary>Events from an integer <c>[N, 4]</c> tensor of (t, x, y, p) rows (the inverse of <see cref="ToTensor"/>).</summary>
    public static EventStream FromTensor(Tensor events)
    {
        if (events.Rank != 2 || events.Shape[1] != 4 || events.DType is not (DType.Int64 or DType.Int32))
            throw new ArgumentException($"EventStream.FromTensor: expected Int64 or Int32 [N, 4] (t, x, y, p rows), got {events.DType} [{string.Join(", ", events.Shape)}]");
        var v = Raw.ToDType(events, DType.Int64).ToArray<long>();
        int n = events.Shape[0];
        var t = new long[n]; var x = new int[n]; var y = new int[n]; var p = new byte[n];
        for (int i = 0; i < n; i++)
        {
            if (v[4 * i + 1] is < 0 or > int.MaxValue || v[4 * i + 2] is < 0 or > int.MaxValue)
                throw new ArgumentException($"EventStream.FromTensor: event {i} has coordinates (x={v[4 * i + 1]}, y={v[4 * i + 2]})");
            t[i] = v[4 * i]; x[i] = (int)v[4 * i + 1]; y[i] = (int)v[4 * i + 2]; p[i] = v[4 * i + 3] != 0 ? (byte)1 : (byte)0;
        }
        return new EventStream(t, x, y, p);
    }

    /// <summary>Throws unless every coordinate lies on a <paramref name="width"/>×<paramref name="height"/> sensor.</summary>
    public void CheckBounds(int height, int width, string op)
    {
        for (int i = 0; i < Count; i++)
            if ((uint)X[i] >= (uint)width || (uint)Y[i] >= (uint)height)
                throw new ArgumentException($"{op}: event {i} at (x={X[i]}, y={Y[i]}) lies outside the {width}×{height} (W×H) sensor");
    }
}

/// <summary>Event-camera formats that <see cref="EventFrames.FromFile(EventFormat, string, int, SplitBy)"/> reads.</summary>
public enum EventFormat
{
    /// <summary>N-MNIST ATIS .bin, 34×34.</summary>
    NMnist,
    /// <summary>N-Caltech101 ATIS .bin, 180×240 (H×W).</summary>
    NCaltech101,
    /// <summary>DVS128 Gesture AEDAT 3.1 (a whole recording), 128×128.</summary>
    DvsGesture,
    /// <summary>CIFAR10-DVS AEDAT 2 big-endian, 128×128.</summary>
    Cifar10Dvs,
    /// <summary>ASL-DVS MATLAB v5 .mat (ts, x, y, pol), 180×240 (H×W).</summary>
    AslDvs,
}

public static class EventFormats
{
    /// <summary>Sensor size (H, W) of a format, as SpikingJelly's <c>get_H_W</c>.</summary>
    public static (int H, int W) SensorSize(EventFormat f) => f switch
    {
        EventFormat.NMnist => (34, 34),
        EventFormat.NCaltech101 => (180, 240),
        EventFormat.DvsGesture => (128, 128),
        EventFormat.Cifar10Dvs => (128, 128),
        EventFormat.AslDvs => (180, 240),
        _ => throw new ArgumentOutOfRangeException(nameof(f), f, "unknown event format"),
    };

    public static EventFormat Parse(string name) => name.ToLowerInvariant() switch
    {
        "nmnist" or "n-mnist" => EventFormat.NMnist,
        "ncaltech101" or "n-caltech101" => EventFormat.NCaltech101,
        "dvsgesture" or "dvs128gesture" => EventFormat.DvsGesture,
        "cifar10dvs" or "cifar10-dvs" => EventFormat.Cifar10Dvs,
        "asldvs" or "asl-dvs" => EventFormat.AslDvs,
        _ => throw new ArgumentException($"unknown event format '{name}' (known: nmnist, ncaltech101, dvsgesture, cifar10dvs, asldvs)"),
    };

    /// <summary>Decodes one recording file of the given format, checking coordinates against its sensor.</summary>
    public static EventStream Read(EventFormat f, string path)
    {
        var (h, w) = SensorSize(f);
        return f switch
        {
            EventFormat.NMnist or EventFormat.NCaltech101 => Formats.AtisBin.Read(path, w, h),
            EventFormat.DvsGesture => Formats.Aedat3.Read(path, w, h),
            EventFormat.Cifar10Dvs => Formats.Aedat2.ReadCifar10Dvs(path),
            EventFormat.AslDvs => Formats.MatV5.ReadAslDvs(path),
            _ => throw new ArgumentOutOfRangeException(nameof(f), f, "unknown event format"),
        };
    }
}

/// <summary>
/// Event caches as SpikingJelly writes them (<c>np.savez(path, t=..., x=..., y=..., p=...)</c>): an .npz with arrays
/// t, x, y, p. Written as int64 t and int32 x, y and uint8 p; read from any integer dtypes (uint32 included).
/// </summary>
public static class EventNpz
{
    public static void Write(string path, EventStream ev, bool compressed = true)
    {
        using var f = File.Create(path);
        Write(f, ev, compressed);
    }

    public static void Write(Stream stream, EventStream ev, bool compressed = true) =>
        Formats.Npz.Write(stream, new Dictionary<string, Tensor>
        {
            ["t"] = Tensor.FromArray(ev.T), ["x"] = Tensor.FromArray(ev.X), ["y"] = Tensor.FromArray(ev.Y), ["p"] = Tensor.FromArray(ev.P),
        }, compressed);

    public static EventStream Read(string path) => Parse(DataFile.ReadAll(path), path);

    /// <summary>Events of an event-cache archive; negative or oversized coordinates are format errors.</summary>
    public static EventStream Parse(byte[] data, string source)
    {
        var a = Formats.Npz.Parse(data, source);
        Tensor Get(string k) => a.TryGetValue(k, out var v) ? v : throw new DatasetFormatException(source, 0, $"no '{k}' array (event caches hold t, x, y, p)");
        long[] L(string k) => Raw.ToDType(Get(k), DType.Int64).ToArray<long>();
        int[] Coordinate(string k)
        {
            var v = L(k);
            var c = new int[v.Length];
            for (int i = 0; i < v.Length; i++)
                c[i] = v[i] is >= 0 and <= int.MaxValue ? (int)v[i]
                    : throw new DatasetFormatException($"{source}[{k}.npy]", 0, $"{k}[{i}] = {v[i]} is not a pixel coordinate");
            return c;
        }
        var t = L("t");
        var x = Coordinate("x");
        var y = Coordinate("y");
        var p = L("p").Select(v => v != 0 ? (byte)1 : (byte)0).ToArray();
        if (x.Length != t.Length || y.Length != t.Length || p.Length != t.Length)
            throw new DatasetFormatException(source, 0, $"t, x, y, p lengths differ ({t.Length}, {x.Length}, {y.Length}, {p.Length})");
        return new EventStream(t, x, y, p);
    }
}
