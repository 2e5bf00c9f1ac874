using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

// Short runs in this process (no generated project to build): a few seconds per benchmark, numbers good to ~5-10 %.
// Pass BenchmarkDotNet's own arguments, e.g. --filter '*Sse*', or --long for the default (longer, steadier) job.
var longRun = args.Contains("--long");
var job = longRun
    ? Job.Default.WithToolchain(InProcessEmitToolchain.Instance)
    : Job.Default.WithToolchain(InProcessEmitToolchain.Instance).WithLaunchCount(1).WithWarmupCount(2).WithIterationCount(5)
        .WithIterationTime(Perfolizer.Horology.TimeInterval.FromMilliseconds(200));
var config = DefaultConfig.Instance
    .AddJob(job.AsDefault())
    .AddDiagnoser(MemoryDiagnoser.Default)
    .WithOptions(ConfigOptions.DisableLogFile);
BenchmarkSwitcher.FromAssembly(typeof(Council.Benchmarks.TokenMessageBenchmarks).Assembly).Run(args.Where(a => a != "--long").ToArray(), config);
