#pragma once

// Cheap forward declarations for headers that only pass handles around.
namespace crm {
struct config;
class responder;
} // namespace crm
