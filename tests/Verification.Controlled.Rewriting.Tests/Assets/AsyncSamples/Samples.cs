namespace AsyncSamples;

/// <summary>
/// Ordinary async C#, one sample per group of the contract's members. Every public method returns a deterministic
/// number when run normally (uncontrolled), so the rewritten assembly can be run and compared with the original.
/// </summary>
public static class Samples
{
    public static async Task<int> RunOverloads()
    {
        var total = 0;
        var gate = new object();
        void Add(int n)
        {
            lock (gate) total += n;
        }
        await Task.Run(() => Add(1));
        await Task.Run(() => Add(2), CancellationToken.None);
        await Task.Run(async () =>
        {
            await Task.Yield();
            Add(4);
        });
        await Task.Run(async () =>
        {
            await Task.Yield();
            Add(8);
        }, CancellationToken.None);
        Add(await Task.Run(() => 16));
        Add(await Task.Run(() => 32, CancellationToken.None));
        Add(await Task.Run(async () =>
        {
            await Task.Delay(1);
            return 64;
        }));
        Add(await Task.Run(async () =>
        {
            await Task.Delay(TimeSpan.FromMilliseconds(1));
            return 128;
        }, CancellationToken.None));
        return total;
    }

    public static async Task<int> Delays()
    {
        using var source = new CancellationTokenSource();
        await Task.Delay(1);
        await Task.Delay(1, source.Token);
        await Task.Delay(TimeSpan.FromMilliseconds(1));
        await Task.Delay(TimeSpan.FromMilliseconds(1), source.Token);
        return 4;
    }

    public static int BlockingWaits()
    {
        var one = Task.Run(() => 1);
        one.Wait();
        var inTime = one.Wait(10_000) && one.Wait(TimeSpan.FromSeconds(10));
        one.Wait(CancellationToken.None);
        Task.WaitAll(new Task[] { one, Task.CompletedTask });
        var index = Task.WaitAny(new Task[] { Task.CompletedTask });
        return one.Result + (inTime ? 10 : 0) + index * 100 + one.GetAwaiter().GetResult() + SyncOverAsync();
    }

    private static int SyncOverAsync()
    {
        Task.Delay(1).GetAwaiter().GetResult();
        return 1000;
    }

    public static async Task<int> ConfigureAwaitFalse()
    {
        await Task.Delay(1).ConfigureAwait(false);
        return await Task.Run(() => 7).ConfigureAwait(false);
    }

    public static int DefaultScheduler() =>
        Task.Factory.StartNew(() => 5, CancellationToken.None, TaskCreationOptions.None, TaskScheduler.Default).Result;

    public static int Threads()
    {
        var sum = 0;
        var gate = new object();
        var first = new Thread(() =>
        {
            Thread.Sleep(1);
            lock (gate) sum += 1;
        });
        var second = new Thread(state =>
        {
            Thread.Sleep(TimeSpan.FromMilliseconds(1));
            lock (gate) sum += (int)state!;
        });
        first.Start();
        second.Start(2);
        first.Join();
        second.Join();
        Action<int> sleep = Thread.Sleep; // a delegate to a static member: its ldftn is redirected too
        sleep(1);
        return sum;
    }

    public static async Task<int> PoolWorkItems()
    {
        var one = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var two = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        ThreadPool.QueueUserWorkItem(_ => one.SetResult(1));
        ThreadPool.QueueUserWorkItem(state => two.SetResult((int)state!), 2);
        return await one.Task + await two.Task;
    }

    public static int Monitors()
    {
        var gate = new object();
        var entered = 0;
        Monitor.Enter(gate);
        entered++;
        Monitor.Exit(gate);
        if (Monitor.TryEnter(gate))
        {
            entered++;
            Monitor.Exit(gate);
        }
        var taken = false;
        Monitor.TryEnter(gate, ref taken);
        if (taken)
        {
            entered++;
            Monitor.Exit(gate);
        }
        if (Monitor.TryEnter(gate, 10_000))
        {
            entered++;
            Monitor.Exit(gate);
        }
        lock (gate) entered++;
        return entered;
    }

    public static async Task<int> BoundedBufferWithWaitAndPulse()
    {
        var buffer = new BoundedBuffer(capacity: 2);
        var producer = Task.Run(() =>
        {
            for (var i = 1; i <= 10; i++) buffer.Put(i);
        });
        var sum = 0;
        for (var i = 0; i < 10; i++) sum += buffer.Take();
        await producer;
        return sum;
    }

    /// <summary>
    /// Monitor.Wait(object), Wait(object, int), Pulse and PulseAll, each called whatever the timing: a waiter counts
    /// itself and waits in one hold of the lock, so seeing both counted under the lock means both are waiting.
    /// </summary>
    public static async Task<int> WaitAndPulse()
    {
        var gate = new object();
        var waiting = 0;
        var released = false;
        var woken = 0;
        Task Waiter(bool timed) => Task.Run(() =>
        {
            lock (gate)
            {
                waiting++;
                while (!released)
                {
                    if (timed) Monitor.Wait(gate, 10_000);
                    else Monitor.Wait(gate);
                }
                woken++;
            }
        });
        var first = Waiter(timed: false);
        var second = Waiter(timed: true);
        while (true)
        {
            lock (gate)
            {
                if (waiting == 2)
                {
                    released = true;
                    Monitor.Pulse(gate);
                    Monitor.PulseAll(gate);
                    break;
                }
            }
            await Task.Delay(1);
        }
        await first;
        await second;
        return woken;
    }

    public static async Task<int> Semaphores()
    {
        using var semaphore = new SemaphoreSlim(1);
        semaphore.Wait();
        semaphore.Release();
        if (semaphore.Wait(10_000)) semaphore.Release();
        semaphore.Wait(CancellationToken.None);
        semaphore.Release();
        await semaphore.WaitAsync();
        semaphore.Release();
        if (await semaphore.WaitAsync(10_000)) semaphore.Release();
        await semaphore.WaitAsync(CancellationToken.None);
        semaphore.Release(1);
        return semaphore.CurrentCount;
    }

    public static int InterlockedOperations()
    {
        int i = 0;
        long l = 0;
        object? o = null;
        Counter? counter = null;
        Interlocked.Increment(ref i);
        Interlocked.Increment(ref l);
        Interlocked.Decrement(ref i);
        Interlocked.Decrement(ref l);
        Interlocked.Add(ref i, 5);
        Interlocked.Add(ref l, 7);
        Interlocked.Exchange(ref i, Interlocked.Exchange(ref i, 3) + 10);
        Interlocked.Exchange(ref l, 20);
        Interlocked.Exchange(ref o, "x");
        Interlocked.Exchange(ref counter, new Counter { Value = 100 });
        Interlocked.CompareExchange(ref i, 30, 15);
        Interlocked.CompareExchange(ref l, 40, 20);
        Interlocked.CompareExchange(ref o, "y", "x");
        Interlocked.CompareExchange(ref counter, new Counter { Value = 200 }, counter);
        var stack = new LockFreeList<int>();
        stack.Push(1000);
        stack.Push(2000);
        return i + (int)l + (o as string == "y" ? 1 : 0) + counter!.Value + stack.Pop();
    }

    public static int TimeProviderSystem() => TimeProvider.System.TimestampFrequency > 0 ? 1 : 0;

    public static async Task<int> GenericMethods() => await Echo(3) + (await Echo("abcd")).Length + await WaitAndEcho(Task.FromResult(5));

    private static async Task<T> Echo<T>(T value)
    {
        await Task.Yield();
        return await Task.Run(() => value);
    }

    private static async Task<T> WaitAndEcho<T>(Task<T> task)
    {
        await Task.Delay(1);
        var viaResult = task.Result; // Task<T>.Result with T a type parameter of the method
        var viaAwait = await task.ConfigureAwait(false);
        return EqualityComparer<T>.Default.Equals(viaResult, viaAwait) ? viaAwait : viaResult;
    }

    public static async Task<int> LocalFunctionsAndLambdas()
    {
        async Task<int> Twice(int n)
        {
            await Task.Delay(1);
            return 2 * n;
        }
        Func<int, Task<int>> thrice = async n =>
        {
            await Task.Yield();
            return 3 * n;
        };
        return await Twice(5) + await thrice(7);
    }

    public static async Task<int> GenericClass() =>
        await new GenericHolder<int>(6).GetAsync() + (await new GenericHolder<string>("ab").GetAsync()).Length;

    /// <summary>A ValueTask-returning async method (its own builder, not swapped) and an async iterator consumed by await foreach.</summary>
    public static async Task<int> ValueTasksAndAsyncStreams()
    {
        var sum = await Later(1);
        await foreach (var number in Numbers(3)) sum += number;
        return sum;

        static async ValueTask<int> Later(int n)
        {
            await Task.Delay(1);
            return n;
        }

        static async IAsyncEnumerable<int> Numbers(int count)
        {
            for (var i = 1; i <= count; i++)
            {
                await Task.Yield();
                yield return 10 * i;
            }
        }
    }

    public static int ThroughTypeParameter() => WaitOn(Task.CompletedTask) + WaitOn(Task.FromResult(2));

    private static int WaitOn<T>(T task) where T : Task
    {
        task.Wait();
        return 1;
    }

    /// <summary>Throws from a known line: the rewritten pdb must keep it in the stack trace.</summary>
    public static async Task<int> Throws()
    {
        await Task.Yield();
        throw new InvalidOperationException("thrown on purpose");
    }
}

/// <summary>An async method of a generic class: its state machine is generic in the class's parameter.</summary>
public sealed class GenericHolder<T>(T value)
{
    private readonly Task<T> ready = Task.FromResult(value);

    public async Task<T> GetAsync()
    {
        await Task.Yield();
        var viaResult = ready.Result;
        return await Task.Run(() => viaResult).ConfigureAwait(false);
    }
}

public sealed class Counter
{
    public int Value { get; set; }
}

/// <summary>Monitor.Wait/Pulse/PulseAll: a bounded buffer.</summary>
public sealed class BoundedBuffer(int capacity)
{
    private readonly Queue<int> items = new();

    public void Put(int item)
    {
        lock (items)
        {
            while (items.Count == capacity) Monitor.Wait(items);
            items.Enqueue(item);
            Monitor.PulseAll(items);
        }
    }

    public int Take()
    {
        lock (items)
        {
            while (items.Count == 0) Monitor.Wait(items, 10_000);
            var item = items.Dequeue();
            Monitor.Pulse(items);
            return item;
        }
    }
}

/// <summary>A generic lock-free stack (LIFO list): CompareExchange on a generic class instantiated with the type's own parameter.</summary>
public sealed class LockFreeList<T>
{
    private sealed class Node(T value, Node? next)
    {
        public T Value { get; } = value;
        public Node? Next { get; } = next;
    }

    private Node? head;

    public void Push(T value)
    {
        while (true)
        {
            var old = head;
            if (Interlocked.CompareExchange(ref head, new Node(value, old), old) == old) return;
        }
    }

    public T Pop()
    {
        while (true)
        {
            var old = head ?? throw new InvalidOperationException("empty");
            if (Interlocked.CompareExchange(ref head, old.Next, old) == old) return old.Value;
        }
    }
}
