/// The contract as OpenAPI 3, served at `/openapi.yaml`: `openapi-paths.yaml` (the
/// header and the routes) followed by `openapi-components.yaml` (the schemas and
/// responses). Each file holds top-level keys of one YAML document, so the two texts
/// joined are that document.
enum OpenAPIDocumentText {
    static let bytes: [UInt8] = PackageResources.openapi_paths_yaml + PackageResources.openapi_components_yaml
}
