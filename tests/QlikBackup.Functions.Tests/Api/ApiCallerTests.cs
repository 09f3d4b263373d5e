using System.Security.Claims;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using QlikBackup.Core.Restore;
using QlikBackup.Functions.Api;

namespace QlikBackup.Functions.Tests.Api;

/// <summary>The operator of the audit is the authenticated caller; a name the caller writes is only a note.</summary>
public sealed class ApiCallerTests
{
    static HttpRequest Request(params (string Name, string Value)[] headers)
    {
        var context = new DefaultHttpContext();
        foreach (var (name, value) in headers)
        {
            context.Request.Headers[name] = value;
        }

        return context.Request;
    }

    static ClaimsIdentity Key(string name) =>
        new([new Claim(ApiCaller.KeyIdClaim, name), new Claim("http://schemas.microsoft.com/2017/07/functions/claims/authlevel", "Function")], "WebJobsAuthLevel");

    [Fact]
    public void A_spoofed_X_Operator_does_not_replace_the_App_Service_principal()
    {
        var caller = ApiCaller.From(Request(("X-MS-CLIENT-PRINCIPAL-NAME", "ops@contoso.com"), ("X-Operator", "ceo@contoso.com")), [Key("default")], "local", trustPrincipalHeader: true);

        Assert.Equal("ops@contoso.com", caller.Operator);
        Assert.Equal("ceo@contoso.com", caller.Note);
    }

    [Fact]
    public void Without_App_Service_authentication_a_principal_header_is_only_a_note()
    {
        var caller = ApiCaller.From(Request(("X-MS-CLIENT-PRINCIPAL-NAME", "ceo@contoso.com")), [Key("automation")], "local", trustPrincipalHeader: false);

        Assert.Equal("key:automation", caller.Operator);
        Assert.Equal("ceo@contoso.com", caller.Note);
    }

    [Fact]
    public void An_Entra_ID_token_names_the_operator()
    {
        var token = new ClaimsIdentity([new Claim(ClaimTypes.Name, "ana@contoso.com")], "Bearer");

        Assert.Equal("ana@contoso.com", ApiCaller.From(Request(("X-Operator", "someone")), [token], "local", trustPrincipalHeader: false).Operator);
    }

    [Fact]
    public void Without_a_principal_the_function_key_name_is_the_operator()
    {
        Assert.Equal("key:automation", ApiCaller.From(Request(("X-Operator", "ceo")), [Key("automation")], "local", trustPrincipalHeader: false).Operator);
        Assert.Equal("key:local", ApiCaller.From(Request(), [], "local", trustPrincipalHeader: false).Operator);
    }

    [Fact]
    public async Task A_body_operator_in_a_restore_is_kept_as_a_note_only()
    {
        var context = new DefaultHttpContext();
        context.Request.Headers["X-MS-CLIENT-PRINCIPAL-NAME"] = "ops@contoso.com";
        byte[] body = Encoding.UTF8.GetBytes("""{"scope":"App","pointId":"x","operator":"ceo@contoso.com"}""");
        context.Request.Body = new MemoryStream(body);
        context.Request.ContentLength = body.Length;
        context.Request.ContentType = "application/json";
        var call = new ApiCall(context.Request, new Dictionary<string, string>(), null!, new ServiceCollection().BuildServiceProvider(),
            ApiCaller.From(context.Request, [], "local", trustPrincipalHeader: true));

        var (request, error) = await RestoreApi.ReadWithCallerAsync<RestoreRequest>(call);

        Assert.Null(error);
        Assert.Equal("ops@contoso.com", request!.Operator);
        Assert.Equal("ceo@contoso.com", request.OperatorNote);
    }
}
