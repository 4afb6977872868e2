import { lazy, Suspense, type ReactNode } from "react";
import { createBrowserRouter, RouterProvider } from "react-router";
import { Layout } from "./components/Layout";
import { RequireAuth } from "./components/RequireAuth";
import { Spinner } from "./components/Spinner";
import { ForgotPassword } from "./pages/ForgotPassword";
import { Landing } from "./pages/Landing";
import { Login } from "./pages/Login";
import { NotFound } from "./pages/NotFound";
import { Privacy } from "./pages/Privacy";
import { Register } from "./pages/Register";
import { ResetPassword } from "./pages/ResetPassword";
import { VerifyEmail } from "./pages/VerifyEmail";
import { SessionProvider } from "./session/SessionProvider";

// The drive's pages and the profile load on first visit, so the landing and sign-in pages stay light.
const Profile = lazy(() => import("./pages/Profile").then((module) => ({ default: module.Profile })));
const FilesPage = lazy(() => import("./pages/FilesPage").then((module) => ({ default: module.FilesPage })));
const SearchPage = lazy(() => import("./pages/SearchPage").then((module) => ({ default: module.SearchPage })));
const StarredPage = lazy(() => import("./pages/StarredPage").then((module) => ({ default: module.StarredPage })));
const TrashPage = lazy(() => import("./pages/TrashPage").then((module) => ({ default: module.TrashPage })));
const ActivityPage = lazy(() => import("./pages/ActivityPage").then((module) => ({ default: module.ActivityPage })));
const RecentPage = lazy(() => import("./pages/RecentPage").then((module) => ({ default: module.RecentPage })));
const SharedPage = lazy(() => import("./pages/SharedPage").then((module) => ({ default: module.SharedPage })));
const SharedWithMePage = lazy(() =>
  import("./pages/SharedWithMePage").then((module) => ({ default: module.SharedWithMePage })),
);
const SharePage = lazy(() => import("./pages/SharePage").then((module) => ({ default: module.SharePage })));
const RequestPage = lazy(() => import("./pages/RequestPage").then((module) => ({ default: module.RequestPage })));

function Loading({ children }: { children: ReactNode }) {
  return (
    <Suspense
      fallback={
        <div className="flex justify-center py-16">
          <Spinner label="Loading" />
        </div>
      }
    >
      {children}
    </Suspense>
  );
}

function Private({ children }: { children: ReactNode }) {
  return (
    <RequireAuth>
      <Loading>{children}</Loading>
    </RequireAuth>
  );
}

export const routes = [
  {
    element: <Layout />,
    children: [
      { path: "/", element: <Landing /> },
      { path: "/login", element: <Login /> },
      { path: "/register", element: <Register /> },
      { path: "/forgot-password", element: <ForgotPassword /> },
      { path: "/reset-password", element: <ResetPassword /> },
      { path: "/verify-email", element: <VerifyEmail /> },
      { path: "/privacy", element: <Privacy /> },
      {
        path: "/files",
        element: (
          <Private>
            <FilesPage />
          </Private>
        ),
      },
      {
        path: "/files/:folderId",
        element: (
          <Private>
            <FilesPage />
          </Private>
        ),
      },
      {
        path: "/search",
        element: (
          <Private>
            <SearchPage />
          </Private>
        ),
      },
      {
        path: "/starred",
        element: (
          <Private>
            <StarredPage />
          </Private>
        ),
      },
      {
        path: "/trash",
        element: (
          <Private>
            <TrashPage />
          </Private>
        ),
      },
      {
        path: "/recent",
        element: (
          <Private>
            <RecentPage />
          </Private>
        ),
      },
      {
        path: "/activity",
        element: (
          <Private>
            <ActivityPage />
          </Private>
        ),
      },
      {
        path: "/shared",
        element: (
          <Private>
            <SharedPage />
          </Private>
        ),
      },
      {
        path: "/shared-with-me",
        element: (
          <Private>
            <SharedWithMePage />
          </Private>
        ),
      },
      {
        path: "/shared-with-me/:shareId",
        element: (
          <Private>
            <SharedWithMePage />
          </Private>
        ),
      },
      {
        path: "/shared-with-me/:shareId/:folderId",
        element: (
          <Private>
            <SharedWithMePage />
          </Private>
        ),
      },
      {
        // Signed out as much as in: a visitor's page.
        path: "/s/:linkId",
        element: (
          <Loading>
            <SharePage />
          </Loading>
        ),
      },
      {
        path: "/r/:requestId",
        element: (
          <Loading>
            <RequestPage />
          </Loading>
        ),
      },
      {
        path: "/profile",
        element: (
          <Private>
            <Profile />
          </Private>
        ),
      },
      { path: "*", element: <NotFound /> },
    ],
  },
];

const router = createBrowserRouter(routes);

export function App() {
  return (
    <SessionProvider>
      <RouterProvider router={router} />
    </SessionProvider>
  );
}
