namespace Spike.Datasets;

/// <summary>How <see cref="EventFrames.ByFixedFramesNumber"/> cuts a recording into frames.</summary>
public enum SplitBy
{
    /// <summary>Equal event counts: <c>di = N / M</c>, the last frame takes the remainder.</summary>
    Number,
    /// <summary>Equal time windows: <c>dt = (t[N-1] - t[0]) / M</c> (floor).</summary>
    Time,
}

/// <summary>
/// Event → frame integration with SpikingJelly's index semantics (<c>spikingjelly.datasets</c>).
/// A frame is Float32 <c>[2, H, W]</c>: channel 0 counts events with p == 0, channel 1 those with p != 0,
/// at <c>[y, x]</c>. Several frames stack into <c>[M, 2, H, W]</c>.
/// </summary>
public static class EventFrames
{
    /// <summary>
    /// Frame of the events with index in <c>[jl, jr)</c> using Python slice rules: negative indices count from the
    /// end and are clamped, so the default <c>jr = -1</c> drops the last event (integrate_events_segment_to_frame).
    /// Frame: <c>[2, H, W]</c>.
    /// </summary>
    public static Tensor Segment(EventStream ev, int height, int width, int jl = 0, int jr = -1)
    {
        var frame = new float[2 * height * width];
        (int lo, int hi) = PySlice(jl, jr, ev.Count);
        Accumulate(ev, lo, hi, height, width, frame);
        return Wrap(frame, 2, height, width);
    }

    /// <summary>Start/stop of Python's <c>a[jl:jr]</c> for a sequence of length n.</summary>
    public static (int Lo, int Hi) PySlice(int jl, int jr, int n)
    {
        static int Norm(int j, int n) => j < 0 ? Math.Max(j + n, 0) : Math.Min(j, n);
        return (Norm(jl, n), Math.Max(Norm(jr, n), Norm(jl, n)));
    }

    /// <summary>
    /// Segment bounds for a fixed number of frames (cal_fixed_frames_number_segment_index).
    /// Number: <c>jl[i] = i·di</c>, <c>jr[i] = jl[i] + di</c>, <c>di = N / M</c>. Time: frame i holds the events with
    /// <c>t0 + i·dt ≤ t &lt; t0 + (i+1)·dt</c>; <c>jl</c> is the first such index and <c>jr</c> the last + 1.
    /// Either way <c>jr[M-1] = N</c>. SpikingJelly fails on an empty time window; here an empty window gets
    /// <c>jl = jr =</c> the previous window's <c>jr</c> (0 for the first), i.e. an empty frame.
    /// </summary>
    public static (int[] Jl, int[] Jr) FixedFramesNumberIndex(long[] t, SplitBy splitBy, int framesNum)
    {
        if (framesNum <= 0) throw new ArgumentOutOfRangeException(nameof(framesNum), $"FixedFramesNumberIndex: frames number must be positive, got {framesNum}");
        int n = t.Length;
        var jl = new int[framesNum];
        var jr = new int[framesNum];
        if (splitBy == SplitBy.Number)
        {
            int di = n / framesNum;
            for (int i = 0; i < framesNum; i++) { jl[i] = i * di; jr[i] = jl[i] + di; }
        }
        else if (n > 0)
        {
            long t0 = t[0];
            long dt = FloorDiv(t[n - 1] - t0, framesNum);
            Array.Fill(jl, -1);
            // One pass gives the first and last index inside each window, which is exactly the mask rule even if t is unsorted.
            if (dt > 0)
                for (int k = 0; k < n; k++)
                {
                    if (t[k] < t0) continue;
                    long w = (t[k] - t0) / dt;
                    if (w >= framesNum) continue;
                    if (jl[w] < 0) jl[w] = k;
                    jr[w] = k + 1;
                }
            for (int i = 0; i < framesNum; i++)
                if (jl[i] < 0) jl[i] = jr[i] = i == 0 ? 0 : jr[i - 1];
        }
        jr[framesNum - 1] = n;
        return (jl, jr);
    }

    /// <summary>
    /// <c>[M, 2, H, W]</c> frames from the segments of <see cref="FixedFramesNumberIndex"/>
    /// (integrate_events_by_fixed_frames_number).
    /// </summary>
    public static Tensor ByFixedFramesNumber(EventStream ev, SplitBy splitBy, int framesNum, int height, int width)
    {
        var (jl, jr) = FixedFramesNumberIndex(ev.T, splitBy, framesNum);
        int plane = 2 * height * width;
        var frames = new float[(long)framesNum * plane];
        for (int i = 0; i < framesNum; i++)
            Accumulate(ev, jl[i], jr[i], height, width, frames.AsSpan(i * plane, plane));
        return Wrap(frames, framesNum, 2, height, width);
    }

    /// <summary>
    /// Frames of fixed duration (integrate_events_by_fixed_duration): a frame starts at event <c>left</c> and takes
    /// events while <c>t[right] - t[left] ≤ duration</c>; the next starts at the first excluded event.
    /// Returns <c>[K, 2, H, W]</c> with K data-dependent (0 for an empty stream).
    /// </summary>
    public static Tensor ByFixedDuration(EventStream ev, long duration, int height, int width)
    {
        if (duration < 0) throw new ArgumentOutOfRangeException(nameof(duration), $"ByFixedDuration: duration must be ≥ 0, got {duration}");
        var bounds = FixedDurationIndex(ev.T, duration);
        int plane = 2 * height * width;
        var frames = new float[(long)bounds.Count * plane];
        for (int i = 0; i < bounds.Count; i++)
            Accumulate(ev, bounds[i].Jl, bounds[i].Jr, height, width, frames.AsSpan(i * plane, plane));
        return Wrap(frames, bounds.Count, 2, height, width);
    }

    /// <summary>The <c>[jl, jr)</c> segments of <see cref="ByFixedDuration"/>.</summary>
    public static List<(int Jl, int Jr)> FixedDurationIndex(long[] t, long duration)
    {
        var list = new List<(int, int)>();
        int n = t.Length, left = 0, right = 0;
        while (left < n)
        {
            long tl = t[left];
            // t[left] - t[left] = 0 ≤ duration, so every frame takes at least one event and the loop advances.
            while (right < n && t[right] - tl <= duration) right++;
            list.Add((left, right));
            left = right;
        }
        return list;
    }

    /// <summary>Frames from a user function (custom_integrate_function): any <c>(events, H, W) → Tensor</c>.</summary>
    public static Tensor ByFunction(EventStream ev, int height, int width, Func<EventStream, int, int, Tensor> integrate) =>
        integrate(ev, height, width);

    /// <summary>
    /// Decodes one recording and integrates it into Float32 <c>[frames, 2, H, W]</c> (H, W = the format's sensor).
    /// This is what <c>spike dataset frames --frames M --split-by number|time</c> writes.
    /// </summary>
    public static Tensor FromFile(EventFormat format, string path, int frames, SplitBy splitBy)
    {
        var (h, w) = EventFormats.SensorSize(format);
        return ByFixedFramesNumber(EventFormats.Read(format, path), splitBy, frames, h, w);
    }

    /// <summary>Decodes one recording and integrates it into frames of fixed duration, <c>[K, 2, H, W]</c>.</summary>
    public static Tensor FromFile(EventFormat format, string path, long duration)
    {
        var (h, w) = EventFormats.SensorSize(format);
        return ByFixedDuration(EventFormats.Read(format, path), duration, h, w);
    }

    // frame: [2, H, W] flattened; one histogram pass over events [lo, hi).
    private static void Accumulate(EventStream ev, int lo, int hi, int height, int width, Span<float> frame)
    {
        int hw = height * width;
        var x = ev.X; var y = ev.Y; var p = ev.P;
        for (int k = lo; k < hi; k++)
        {
            if ((uint)x[k] >= (uint)width || (uint)y[k] >= (uint)height)
                throw new ArgumentException($"event frames: event {k} at (x={x[k]}, y={y[k]}) lies outside the {width}×{height} (W×H) sensor");
            frame[(p[k] == 0 ? 0 : hw) + y[k] * width + x[k]] += 1f;
        }
    }

    private static long FloorDiv(long a, long b) => a >= 0 ? a / b : -((-a + b - 1) / b);

    private static Tensor Wrap(float[] data, params int[] shape) => new(new CpuStorage(data, DType.Float32), Layout.Contiguous(shape));
}
