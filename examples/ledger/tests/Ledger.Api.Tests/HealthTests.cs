using Microsoft.AspNetCore.Mvc.Testing;

public class HealthTests(WebApplicationFactory<Program> factory) : IClassFixture<WebApplicationFactory<Program>>
{
    [Fact]
    public async Task Healthz_is_ok()
    {
        var response = await factory.CreateClient().GetAsync("/healthz");
        response.EnsureSuccessStatusCode();
    }
}
