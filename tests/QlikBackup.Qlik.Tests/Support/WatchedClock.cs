using System.Threading.Channels;
using Microsoft.Extensions.Time.Testing;

namespace QlikBackup.Qlik.Tests.Support;

/// <summary>
/// A <see cref="FakeTimeProvider"/> that reports every timer the client schedules, so a test can wait until a delay is
/// really pending before it moves the clock (moving it earlier would be lost, and the test would depend on scheduling).
/// </summary>
public sealed class WatchedClock : TimeProvider
{
    readonly Channel<TimeSpan> scheduled = Channel.CreateUnbounded<TimeSpan>();

    public FakeTimeProvider Fake { get; } = new(DateTimeOffset.Parse("2026-01-05T09:00:00Z"));

    public override DateTimeOffset GetUtcNow() => Fake.GetUtcNow();
    public override long GetTimestamp() => Fake.GetTimestamp();
    public override long TimestampFrequency => Fake.TimestampFrequency;
    public override TimeZoneInfo LocalTimeZone => Fake.LocalTimeZone;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        ITimer timer = Fake.CreateTimer(callback, state, dueTime, period);
        scheduled.Writer.TryWrite(dueTime);
        return timer;
    }

    /// <summary>Waits (real time, bounded) until a timer due after exactly <paramref name="dueTime"/> has been scheduled.</summary>
    public async Task WaitForTimerAsync(TimeSpan dueTime)
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var seen = new List<TimeSpan>();
        try
        {
            await foreach (TimeSpan due in scheduled.Reader.ReadAllAsync(guard.Token))
            {
                if (due == dueTime) return;
                seen.Add(due);
            }
        }
        catch (OperationCanceledException)
        {
        }

        throw new TimeoutException($"No timer of {dueTime} was scheduled; saw [{string.Join(", ", seen)}].");
    }
}
