using System.Reflection;
using Microsoft.AspNetCore.SignalR;

namespace Council.ContractGen;

/// <summary>One method of a hub interface with the wire name of its <see cref="HubMethodNameAttribute"/>.</summary>
internal sealed record HubMethod(string WireName, MethodInfo Method)
{
    /// <summary>The methods of <paramref name="hubInterface"/> in declaration order; every one must carry a wire name.</summary>
    public static IReadOnlyList<HubMethod> Read(Type hubInterface) =>
        hubInterface.GetMethods()
            .OrderBy(m => m.MetadataToken)
            .Select(m => new HubMethod(
                m.GetCustomAttribute<HubMethodNameAttribute>()?.Name
                    ?? throw new InvalidOperationException($"{hubInterface.Name}.{m.Name} has no [HubMethodName]: every wire method needs its exact name."),
                m))
            .ToList();

    /// <summary>What the invocation completes with: <c>T</c> of <c>Task&lt;T&gt;</c>, or null for a plain <c>Task</c>.</summary>
    public Type? ResultType =>
        Method.ReturnType.IsGenericType && Method.ReturnType.GetGenericTypeDefinition() == typeof(Task<>)
            ? Method.ReturnType.GetGenericArguments()[0]
            : Method.ReturnType == typeof(Task)
                ? null
                : throw new InvalidOperationException($"{Method.DeclaringType!.Name}.{Method.Name} must return Task or Task<T>.");
}
