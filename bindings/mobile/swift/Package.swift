// swift-tools-version:5.9
// The Swift package of wxcv_mobile. Sources/ holds what `cargo xtask codegen` wrote with uniffi-bindgen;
// the native library comes from `cargo build -p wxcv-mobile` (Linux/macOS tests: set WXCV_LIB_DIR and
// link with -L) or from the xcframework for iOS (see the repository README).
import PackageDescription

let libDir = Context.environment["WXCV_LIB_DIR"] ?? "../../../target/debug"

let package = Package(
    name: "WxcvMobile",
    platforms: [.iOS(.v15), .macOS(.v12)],
    products: [.library(name: "WxcvMobile", targets: ["WxcvMobile"])],
    targets: [
        .target(name: "wxcv_mobileFFI", path: "Sources/wxcv_mobileFFI"),
        .target(
            name: "WxcvMobile",
            dependencies: ["wxcv_mobileFFI"],
            path: "Sources/WxcvMobile",
            linkerSettings: [.unsafeFlags(["-L", libDir]), .linkedLibrary("wxcv_mobile")]
        ),
        .testTarget(name: "WxcvMobileTests", dependencies: ["WxcvMobile"], path: "Tests/WxcvMobileTests"),
    ]
)
